import { parseScheduleText, STALL_FACILITIES, STALL_GOODS, STALL_KINDS, validateSchedule, type StallFacility, type StallGoods, type StallKind, type StallSchedule } from '@cityloop/shared';
import { z } from 'zod';
import { boundedText, coordSystemSchema, instantSchema, keysOf } from '../../http/validate';

const hm = boundedText(0, 5);
const timeWindow = z.object({ open: hm, close: hm }).strict();

/** Shape first (zod), then the schedule rules from shared/ (overlaps, inverted windows, seasons). */
export const scheduleSchema = z
  .object({
    weekly: z.array(z.object({ days: z.array(z.number().int()).max(7), windows: z.array(timeWindow).max(6) }).strict()).max(14),
    seasons: z
      .array(z.object({ from: boundedText(0, 10), to: boundedText(0, 10) }).strict())
      .max(12)
      .optional(),
    exceptions: z
      .array(z.object({ date: boundedText(0, 10), closed: z.boolean().optional(), windows: z.array(timeWindow).max(6).optional(), note: boundedText(0, 100).optional() }).strict())
      .max(400)
      .optional(),
  })
  .strict()
  .superRefine((schedule, ctx) => {
    for (const problem of validateSchedule(schedule as StallSchedule)) ctx.addIssue({ code: 'custom', message: problem });
  }) as unknown as z.ZodType<StallSchedule>;

const unique = <T>(list: T[]) => new Set(list).size === list.length;

export const spotInputSchema = z
  .object({
    code: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_-]{2,40}$/, 'letters, digits, "-" or "_", 2–40 characters'),
    name: boundedText(1, 60),
    kind: z.enum(keysOf(STALL_KINDS)),
    district: boundedText(1, 40),
    street: boundedText(0, 40).default(''),
    address: boundedText(1, 200),
    location: z
      .object({
        lat: z.number().min(-90).max(90),
        lng: z.number().min(-180).max(180),
        coordSystem: coordSystemSchema,
        approximate: z.boolean().default(false),
      })
      .strict(),
    radiusMeters: z.number().int().min(5).max(5000).default(80),
    capacity: z.number().int().min(0).max(100_000),
    goods: z
      .array(z.enum(keysOf(STALL_GOODS)))
      .min(1)
      .refine(unique, 'a goods code is listed twice'),
    facilities: z
      .array(z.enum(keysOf(STALL_FACILITIES)))
      .default([])
      .refine(unique, 'a facility is listed twice'),
    rules: boundedText(0, 1000).default(''),
    manager: z
      .object({
        name: boundedText(1, 40),
        phone: z
          .string()
          .trim()
          .regex(/^[0-9+\-() ]{5,20}$/, 'a phone number'),
      })
      .strict()
      .nullable()
      .default(null),
    photos: z
      .array(z.url({ protocol: /^https?$/ }).max(500))
      .max(9)
      .default([]),
    schedule: scheduleSchema,
  })
  .strict();

export type SpotInput = z.infer<typeof spotInputSchema>;

export const spotPatchSchema = spotInputSchema
  .omit({ code: true })
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'nothing to change');
export type SpotPatch = z.infer<typeof spotPatchSchema>;

export const suspendSchema = z
  .object({
    reason: boundedText(1, 200),
    until: instantSchema.optional(),
  })
  .strict();

/** Accepts a code or its Chinese name (operators' spreadsheets use either). */
function fromCodeOrName<K extends string>(table: Record<K, string>, value: string): K | string {
  const trimmed = value.trim();
  const byName = (Object.entries(table) as [K, string][]).find(([, zh]) => zh === trimmed);
  return byName ? byName[0] : trimmed;
}

const APPROXIMATE_VALUES = new Set(['', 'true', 'false', '1', '0', '是', '否']);

const splitList = (value: string | undefined) =>
  (value ?? '')
    .split(/[|、]/)
    .map((v) => v.trim())
    .filter(Boolean);

/**
 * Turns one flat import record (a CSV row or a GeoJSON feature's properties) into the API's input
 * shape, so both formats are validated by exactly the same schema as the create route.
 */
export function recordToSpotInput(record: Record<string, unknown>, point?: { lat: number; lng: number }): { input: unknown; problems: string[] } {
  const text = (key: string) => (record[key] === undefined || record[key] === null ? undefined : String(record[key]));
  const number = (key: string) => {
    const raw = text(key)?.trim();
    return raw === undefined || raw === '' ? undefined : Number(raw);
  };
  const problems: string[] = [];
  let schedule: unknown = record.schedule;
  if (typeof schedule === 'string') {
    const parsed = parseScheduleText(schedule);
    problems.push(...parsed.problems);
    schedule = parsed.schedule;
  }
  const managerName = text('manager_name')?.trim();
  const managerPhone = text('manager_phone')?.trim();
  const approximate = text('approximate')?.trim().toLowerCase() ?? '';
  if (!APPROXIMATE_VALUES.has(approximate)) problems.push('approximate: true/false, 1/0 or 是/否');
  return {
    problems,
    input: {
      code: text('code'),
      name: text('name'),
      kind: fromCodeOrName(STALL_KINDS, text('kind') ?? '') as StallKind,
      district: text('district'),
      street: text('street') ?? '',
      address: text('address'),
      location: {
        lat: point?.lat ?? number('lat'),
        lng: point?.lng ?? number('lng'),
        coordSystem: text('coord_system')?.trim().toLowerCase() || 'wgs84',
        approximate: approximate === 'true' || approximate === '1' || approximate === '是',
      },
      radiusMeters: number('radius_m') ?? 80,
      capacity: number('capacity'),
      goods: splitList(text('goods')).map((g) => fromCodeOrName(STALL_GOODS, g)) as StallGoods[],
      facilities: splitList(text('facilities')).map((f) => fromCodeOrName(STALL_FACILITIES, f)) as StallFacility[],
      rules: text('rules') ?? '',
      manager: managerName || managerPhone ? { name: managerName ?? '', phone: managerPhone ?? '' } : null,
      photos: splitList(text('photos')),
      schedule,
    },
  };
}

export const IMPORT_COLUMNS = [
  'code',
  'name',
  'kind',
  'district',
  'street',
  'address',
  'lat',
  'lng',
  'coord_system',
  'approximate',
  'radius_m',
  'capacity',
  'goods',
  'facilities',
  'rules',
  'manager_name',
  'manager_phone',
  'photos',
  'schedule',
] as const;
