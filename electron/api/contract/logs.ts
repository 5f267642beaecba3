import { z } from 'zod';
import { isRealDate } from '../../../federated/calendar/dates.ts';
import { method } from './define.ts';
import { product, productCategory } from './products.ts';

/** A calendar date as YYYY-MM-DD that really exists (no 2023-02-30). */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date as YYYY-MM-DD.')
  .refine(isRealDate, 'This date does not exist.');

export const wasteReason = z.enum(['unsold', 'damaged', 'production', 'expired']);
export const wasteOutcome = z.enum(['discarded', 'donated', 'discounted']);
export type WasteReason = z.infer<typeof wasteReason>;
export type WasteOutcome = z.infer<typeof wasteOutcome>;

/** One saved (date, product) row. baked/wasted are null when unknown (e.g. POS imports). */
export const logEntry = z.object({
  date: isoDate,
  productId: z.number().int().positive(),
  baked: z.number().int().nullable(),
  sold: z.number().int(),
  wasted: z.number().int().nullable(),
  carriedOver: z.number().int(),
  soldOut: z.boolean(),
  soldOutTime: z.string().nullable(),
  wasteReason: wasteReason.nullable(),
  wasteOutcome: wasteOutcome.nullable(),
  note: z.string().nullable(),
  updatedAt: z.string(),
});
export type LogEntry = z.infer<typeof logEntry>;

export const dayContext = z.object({
  date: isoDate,
  closed: z.boolean(),
  holiday: z.boolean(),
  holidayName: z.string().nullable(),
  temperature: z.number().nullable(),
  rain: z.number().nullable(),
});
export type DayContext = z.infer<typeof dayContext>;

export const dayRow = z.object({
  product,
  /** The saved row, or null when nothing was entered yet for this date. */
  log: logEntry.nullable(),
  /** Yesterday's baked count, offered as a hint; null when unknown. */
  yesterdayBaked: z.number().int().nullable(),
  /** Unsold stock still within shelf life (always 0 for products that keep one day). */
  carriedOver: z.number().int(),
});
export type DayRow = z.infer<typeof dayRow>;

/**
 * Counts are plain numbers here on purpose: the backend answers "must be a whole number"
 * beside the field instead of a generic schema error. Field names are the issue paths.
 */
export const saveRowInput = z
  .object({
    date: isoDate,
    productId: z.number().int().positive(),
    baked: z.number().finite().nullable(),
    sold: z.number().finite(),
    wasted: z.number().finite().nullable(),
    soldOut: z.boolean().default(false),
    soldOutTime: z.string().nullable().optional(),
    wasteReason: wasteReason.nullable().optional(),
    wasteOutcome: wasteOutcome.nullable().optional(),
    note: z.string().max(500).nullable().optional(),
  })
  .strict();
export type SaveRowInput = z.infer<typeof saveRowInput>;

/** Fields a saved row may have, as used in issue paths and the edit trail. */
export const logField = z.enum([
  'baked',
  'sold',
  'wasted',
  'soldOut',
  'soldOutTime',
  'wasteReason',
  'wasteOutcome',
  'note',
]);
export type LogField = z.infer<typeof logField>;

export const historyRow = z.object({
  date: isoDate,
  productId: z.number().int(),
  productName: z.string(),
  category: productCategory,
  baked: z.number().int().nullable(),
  sold: z.number().int(),
  wasted: z.number().int().nullable(),
  carriedOver: z.number().int(),
  soldOut: z.boolean(),
  soldOutTime: z.string().nullable(),
  wasteReason: wasteReason.nullable(),
  wasteOutcome: wasteOutcome.nullable(),
  note: z.string().nullable(),
});
export type HistoryRow = z.infer<typeof historyRow>;

export const seriesPoint = z.object({
  date: isoDate,
  sold: z.number().int(),
  wasted: z.number().int().nullable(),
  /** wasted / (sold + wasted); null when waste is unknown or nothing moved. */
  wasteRate: z.number().nullable(),
});

export const logEdit = z.object({
  id: z.number().int(),
  date: isoDate,
  productId: z.number().int(),
  productName: z.string(),
  field: z.string(),
  oldValue: z.string().nullable(),
  newValue: z.string().nullable(),
  editedAt: z.string(),
});
export type LogEdit = z.infer<typeof logEdit>;

export const logsContract = {
  'logs.day': method(
    'The entry sheet for one date: every active product (plus inactive ones already logged that day) with its row, a hint and carried-over stock, and the day context.',
    z.object({ date: isoDate }).strict(),
    z.object({ date: isoDate, context: dayContext, rows: z.array(dayRow) }),
  ),
  'logs.saveRow': method(
    'Saves one product row for one date (autosave). Refusals have code "bad-request" and one issue per field (path = field name). Changes to past days are recorded in the edit trail.',
    saveRowInput,
    z.object({ row: logEntry, editsRecorded: z.number().int() }),
  ),
  'logs.setDayContext': method(
    'Marks a date closed and/or a holiday (name optional).',
    z
      .object({
        date: isoDate,
        closed: z.boolean().optional(),
        holiday: z.boolean().optional(),
        holidayName: z.string().max(120).nullable().optional(),
      })
      .strict(),
    dayContext,
  ),
  'logs.history': method(
    'Logged days between from and to (inclusive; default: the 90 days up to the latest log), optionally one product; rows per day, per-product series, and the day contexts.',
    z
      .object({
        productId: z.number().int().positive().optional(),
        from: isoDate.optional(),
        to: isoDate.optional(),
      })
      .strict(),
    z.object({
      from: isoDate.nullable(),
      to: isoDate.nullable(),
      rows: z.array(historyRow),
      days: z.array(dayContext),
      series: z.array(
        z.object({
          productId: z.number().int(),
          productName: z.string(),
          points: z.array(seriesPoint),
          totals: z.object({
            sold: z.number().int(),
            wasted: z.number().int(),
            wasteRate: z.number().nullable(),
          }),
        }),
      ),
    }),
  ),
  'logs.edits': method(
    'The edit trail (newest first), for a date and/or a product; at most `limit` entries.',
    z
      .object({
        date: isoDate.optional(),
        productId: z.number().int().positive().optional(),
        limit: z.number().int().min(1).max(1000).default(200),
      })
      .strict(),
    z.object({ edits: z.array(logEdit) }),
  ),
};
