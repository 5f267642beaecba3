import type { LogField, WasteOutcome, WasteReason } from '../api/contract/logs.ts';

/** The counts and notes of one (date, product) row as entered, before any check. */
export type RowDraft = {
  baked: number | null;
  sold: number;
  wasted: number | null;
  soldOut: boolean;
  soldOutTime?: string | null;
  wasteReason?: WasteReason | null;
  wasteOutcome?: WasteOutcome | null;
};

export type FieldIssue = { path: LogField; message: string };

/** A bakery never logs a million of one product in a day: this catches typos like 12000. */
export const maxCount = 100_000;

/** What is wrong with one count, in words for the field; null when it is fine. */
export function countProblem(label: string, value: number): string | null {
  if (!Number.isFinite(value)) return `${label} must be a number.`;
  if (value < 0) return `${label} cannot be negative.`;
  if (!Number.isInteger(value)) return `${label} must be a whole number.`;
  if (value > maxCount) return `${label} looks too large (at most ${maxCount}).`;
  return null;
}

export function isClockTime(value: string): boolean {
  return /^([01]\d|2[0-3]):[0-5]\d$/.test(value);
}

/**
 * Every rule a saved row must meet, one message per field, so the UI shows each beside its
 * input. Nothing is corrected here: a wrong row is refused as entered.
 */
export function validateRow(row: RowDraft, carriedOver: number): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const counts: [LogField, string, number | null][] = [
    ['baked', 'Baked', row.baked],
    ['sold', 'Sold', row.sold],
    ['wasted', 'Wasted', row.wasted],
  ];
  for (const [path, label, value] of counts) {
    const problem = value === null ? null : countProblem(label, value);
    if (problem) issues.push({ path, message: problem });
  }
  if (issues.length === 0 && row.baked !== null) {
    const used = row.sold + (row.wasted ?? 0);
    const available = row.baked + carriedOver;
    if (used > available) {
      const stock =
        carriedOver > 0
          ? `baked ${row.baked} plus ${carriedOver} carried over`
          : `baked ${row.baked}`;
      const message =
        row.wasted && row.wasted > 0
          ? `Sold ${row.sold} and wasted ${row.wasted} make ${used}, more than ${stock} (${available}).`
          : `Sold ${row.sold} is more than ${stock} (${available}).`;
      issues.push({ path: 'sold', message });
      if (row.wasted && row.wasted > 0) issues.push({ path: 'wasted', message });
    }
  }
  const time = row.soldOutTime ?? null;
  if (time !== null && time !== '') {
    if (!isClockTime(time))
      issues.push({ path: 'soldOutTime', message: 'Give the time as HH:MM, e.g. 14:30.' });
    else if (!row.soldOut)
      issues.push({
        path: 'soldOutTime',
        message: 'A sold-out time needs "sold out" ticked (or clear the time).',
      });
  }
  const noWaste = row.wasted === null || row.wasted === 0;
  if (noWaste && row.wasteReason)
    issues.push({
      path: 'wasteReason',
      message: 'No units wasted: clear the reason or enter the wasted count.',
    });
  if (noWaste && row.wasteOutcome)
    issues.push({
      path: 'wasteOutcome',
      message: 'No units wasted: clear the outcome or enter the wasted count.',
    });
  return issues;
}
