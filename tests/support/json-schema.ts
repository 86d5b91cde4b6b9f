import fs from 'node:fs';
import path from 'node:path';

/**
 * A small JSON Schema validator for the GeoReport v2 schemas in tests/fixtures/open311/schema: it knows
 * type, enum, required, properties, items, anyOf, maxLength, format (date-time, uri) and $ref to a
 * sibling file, and fails on any other keyword so that a schema it cannot read is never passed silently.
 */
type Schema = Record<string, unknown>;

const KNOWN = new Set(['$comment', 'type', 'enum', 'required', 'properties', 'items', 'anyOf', 'maxLength', 'format', '$ref']);
const W3C_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export function loadSchema(dir: string, file: string): (value: unknown) => string[] {
  const cache = new Map<string, Schema>();
  const load = (name: string): Schema => {
    let s = cache.get(name);
    if (!s) {
      s = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as Schema;
      cache.set(name, s);
    }
    return s;
  };
  return (value) => check(load(file), value, '$', load);
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function check(schema: Schema, value: unknown, at: string, load: (name: string) => Schema): string[] {
  for (const key of Object.keys(schema)) if (!KNOWN.has(key)) throw new Error(`json-schema.ts does not know the keyword ${key}`);
  if (typeof schema.$ref === 'string') return check(load(schema.$ref), value, at, load);
  if (Array.isArray(schema.anyOf)) {
    const results = (schema.anyOf as Schema[]).map((s) => check(s, value, at, load));
    return results.some((r) => r.length === 0) ? [] : [`${at}: matches none of anyOf (${results.map((r) => r[0]).join(' | ')})`];
  }
  const errors: string[] = [];
  if (typeof schema.type === 'string') {
    const t = typeOf(value);
    const ok = t === schema.type || (schema.type === 'number' && t === 'integer');
    if (!ok) return [`${at}: expected ${schema.type}, got ${t}`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) errors.push(`${at}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`);
  if (typeof value === 'string') {
    if (typeof schema.maxLength === 'number' && [...value].length > schema.maxLength) errors.push(`${at}: longer than ${schema.maxLength}`);
    if (schema.format === 'date-time' && !W3C_DATE_TIME.test(value)) errors.push(`${at}: not a date-time`);
    if (schema.format === 'uri' && !/^[a-z][a-z0-9+.-]*:\S+$/i.test(value)) errors.push(`${at}: not a URI`);
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => errors.push(...check(schema.items as Schema, v, `${at}[${i}]`, load)));
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const name of (schema.required as string[] | undefined) ?? []) if (!(name in obj)) errors.push(`${at}: ${name} is required`);
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [name, sub] of Object.entries(props)) if (name in obj) errors.push(...check(sub, obj[name], `${at}.${name}`, load));
  }
  return errors;
}
