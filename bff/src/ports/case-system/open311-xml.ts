import { XMLParser } from 'fast-xml-parser';

/**
 * Open311's XML, the spec's required format, to and from the JSON shape (the spec's "Spark convention":
 * a list root becomes an array, a container of repeated elements becomes an array, leaf text stays text).
 * Used by the Open311 client to read XML servers and by the simulator to answer `.xml`.
 */

/** Root element and item element of each list document. */
export const XML_LISTS = {
  services: 'service',
  service_requests: 'request',
  errors: 'error',
  service_requests_updates: 'request_update',
} as const;
export type XmlListRoot = keyof typeof XML_LISTS;

/** Containers of repeated elements inside an item, and the name of each element. */
const CONTAINERS: Record<string, string> = {
  attributes: 'attribute',
  values: 'value',
  updates: 'update',
  media_urls: 'media_url',
};
const BOOLEAN_FIELDS: ReadonlySet<string> = new Set(['metadata', 'variable', 'required']);
const NUMBER_FIELDS: ReadonlySet<string> = new Set(['lat', 'long', 'order']);

export class Open311XmlError extends Error {}

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // Only the five predefined entities; a DOCTYPE (the only way to declare others) is refused before parsing.
  processEntities: true,
  htmlEntities: false,
});

/** One element or several of the same name, as a list (the parser gives an array only for repeats). */
function many(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

/** Parses an Open311 XML document into its JSON shape. Throws Open311XmlError on anything else. */
export function parseOpen311Xml(text: string): unknown {
  // No DTD: nothing declares entities, so nothing can expand (billion laughs, external entities).
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new Open311XmlError('XML with a DTD is refused');
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(text, true) as Record<string, unknown>;
  } catch (err) {
    throw new Open311XmlError(`not XML: ${(err as Error).message}`);
  }
  const roots = Object.keys(doc);
  if (roots.length !== 1) throw new Open311XmlError('XML must have exactly one root element');
  const root = roots[0];
  const content = doc[root];
  if (root in XML_LISTS) {
    const item = XML_LISTS[root as XmlListRoot];
    const items = many(isRecord(content) ? content[item] : undefined).map((i) => fromXml(i));
    // An error's code is a number in JSON (the spec's example); an attribute's code stays text.
    if (root === 'errors') for (const e of items) if (isRecord(e) && typeof e.code === 'string' && /^\d+$/.test(e.code)) e.code = Number(e.code);
    return items;
  }
  return fromXml(content);
}

function fromXml(node: unknown, name = ''): unknown {
  if (Array.isArray(node)) return node.map((n) => fromXml(n, name));
  if (isRecord(node)) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      const item = CONTAINERS[key];
      if (item) {
        out[key] = many(isRecord(value) ? value[item] : undefined).map((i) => fromXml(i, item));
      } else out[key] = fromXml(value, key);
    }
    return out;
  }
  const text = node === undefined || node === null ? '' : String(node);
  if (text === '') return null;
  if (BOOLEAN_FIELDS.has(name)) return text === 'true' ? true : text === 'false' ? false : text;
  if (NUMBER_FIELDS.has(name)) {
    const n = Number(text);
    return Number.isFinite(n) ? n : text;
  }
  return text;
}

/** Writes a JSON-shaped Open311 document as XML under `root` (a list root for arrays). */
export function toOpen311Xml(root: string, body: unknown): string {
  let inner: string;
  if (Array.isArray(body)) {
    const item = (XML_LISTS as Record<string, string>)[root] ?? 'item';
    inner = body.map((b) => element(item, b)).join('');
    return `<?xml version="1.0" encoding="utf-8"?>\n<${root}>${inner}</${root}>\n`;
  }
  return `<?xml version="1.0" encoding="utf-8"?>\n${element(root, body)}\n`;
}

function element(name: string, value: unknown): string {
  if (value === null || value === undefined) return `<${name}/>`;
  if (Array.isArray(value)) {
    const item = CONTAINERS[name] ?? (name.endsWith('s') ? name.slice(0, -1) : 'item');
    return `<${name}>${value.map((v) => element(item, v)).join('')}</${name}>`;
  }
  if (isRecord(value)) {
    return `<${name}>${Object.entries(value)
      .map(([k, v]) => element(k, v))
      .join('')}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

function escapeXml(text: string): string {
  // Characters XML 1.0 cannot carry at all are dropped rather than producing a document no one can parse.
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
  return clean.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
