// Bulk import of a city's stall list (CSV or GeoJSON): every row checked, then all or nothing.
import { parseCsv, STALL_LIMITS, type StallImportResultDto } from '@cityloop/shared';
import { inTransaction } from '../../db/client';
import { AppError } from '../../http/errors';
import { recordAudit } from '../audit/audit';
import { stallsRepository } from './stalls.repository';
import { IMPORT_COLUMNS, recordToSpotInput, spotInputSchema, type SpotInput } from './stall-input';
import { inputToRow, type StaffActor, type StallDeps } from './stalls.usecases';

export interface ImportRowProblem {
  /** CSV line number (header is line 1) or GeoJSON feature index (from 0). */
  row: number;
  code?: string;
  errors: string[];
}

/** Parses and validates a whole file; returns valid inputs only when every row is valid. */
export function parseImport(format: 'csv' | 'geojson', content: string): { inputs: SpotInput[]; problems: ImportRowProblem[] } {
  // `fatal` rows are unreadable (wrong geometry); their fields are not validated further.
  const records: Array<{ row: number; record: Record<string, unknown>; point?: { lat: number; lng: number }; problems: string[]; fatal?: boolean }> = [];
  if (format === 'csv') {
    const { rows, error } = parseCsv(content);
    if (error) return { inputs: [], problems: [{ row: 0, errors: [error] }] };
    const [header, ...data] = rows;
    if (!header) return { inputs: [], problems: [{ row: 0, errors: ['the file is empty'] }] };
    const columns = header.cells.map((c) => c.trim().toLowerCase());
    const unknown = columns.filter((c) => !(IMPORT_COLUMNS as readonly string[]).includes(c));
    const missing = ['code', 'name', 'kind', 'district', 'address', 'lat', 'lng', 'capacity', 'goods', 'schedule'].filter((c) => !columns.includes(c));
    if (unknown.length || missing.length) {
      return { inputs: [], problems: [{ row: header.line, errors: [...unknown.map((c) => `unknown column "${c}"`), ...missing.map((c) => `missing column "${c}"`)] }] };
    }
    for (const { line, cells } of data) {
      const problems = cells.length !== columns.length ? [`has ${cells.length} cells, the header has ${columns.length}`] : [];
      records.push({ row: line, record: Object.fromEntries(columns.map((c, i) => [c, cells[i]])), problems });
    }
  } else {
    let doc: { type?: unknown; features?: unknown };
    try {
      doc = JSON.parse(content);
    } catch {
      return { inputs: [], problems: [{ row: 0, errors: ['not valid JSON'] }] };
    }
    if (doc?.type !== 'FeatureCollection' || !Array.isArray(doc.features)) return { inputs: [], problems: [{ row: 0, errors: ['expected a GeoJSON FeatureCollection'] }] };
    doc.features.forEach((f: { type?: unknown; geometry?: { type?: unknown; coordinates?: unknown }; properties?: unknown }, index: number) => {
      const coords = f?.geometry?.coordinates;
      if (f?.type !== 'Feature' || f.geometry?.type !== 'Point' || !Array.isArray(coords) || coords.length < 2 || !coords.every((n) => typeof n === 'number')) {
        records.push({ row: index, record: {}, problems: ['must be a Feature with Point geometry [lng, lat]'], fatal: true });
        return;
      }
      const properties = (f.properties && typeof f.properties === 'object' ? f.properties : {}) as Record<string, unknown>;
      records.push({ row: index, record: properties, point: { lng: coords[0] as number, lat: coords[1] as number }, problems: [] });
    });
  }
  if (records.length === 0) return { inputs: [], problems: [{ row: 0, errors: ['no rows to import'] }] };
  if (records.length > STALL_LIMITS.importMaxRows) return { inputs: [], problems: [{ row: 0, errors: [`at most ${STALL_LIMITS.importMaxRows} rows per file`] }] };

  const inputs: SpotInput[] = [];
  const problems: ImportRowProblem[] = [];
  const seenCodes = new Map<string, number>();
  for (const { row, record, point, problems: early, fatal } of records) {
    if (fatal) {
      problems.push({ row, errors: early });
      continue;
    }
    const { input, problems: mapped } = recordToSpotInput(record, point);
    const errors = [...early, ...mapped];
    const parsed = spotInputSchema.safeParse(input);
    if (!parsed.success) errors.push(...parsed.error.issues.map((i) => `${i.path.join('.') || 'row'}: ${i.message}`));
    const code = typeof record.code === 'string' ? record.code.trim() : undefined;
    if (code && seenCodes.has(code)) errors.push(`code: ${code} also appears in row ${seenCodes.get(code)}`);
    if (code) seenCodes.set(code, row);
    if (errors.length) problems.push({ row, code, errors: [...new Set(errors)] });
    else if (parsed.success) inputs.push(parsed.data);
  }
  return { inputs: problems.length ? [] : inputs, problems };
}

/** All or nothing: any bad row refuses the whole file, listing every bad row. */
export async function importSpots(deps: StallDeps, actor: StaffActor, file: { format: 'csv' | 'geojson'; content: string; dryRun: boolean }): Promise<StallImportResultDto> {
  const { inputs, problems } = parseImport(file.format, file.content);
  if (problems.length) throw new AppError('IMPORT_INVALID', `${problems.length} 行有错误，未导入任何数据`, { rows: problems });
  if (file.dryRun) return { created: 0, updated: 0, valid: inputs.length, dryRun: true };
  return inTransaction(deps.db, async (db) => {
    const repo = stallsRepository(db);
    const { created } = await repo.upsertManyByCode(inputs.map(inputToRow));
    const result = { created, updated: inputs.length - created, valid: inputs.length, dryRun: false };
    await recordAudit(db, {
      actorKind: 'staff',
      actorId: actor.staffId,
      action: 'stall_spot.import',
      entityType: 'stall_spot',
      entityId: null,
      details: { format: file.format, ...result, codes: inputs.map((i) => i.code) },
    });
    return result;
  });
}
