import type { LogField, WasteOutcome, WasteReason } from '../api/contract/logs.ts';
import type { EntryRefusal } from '../api/contract/messages/index.ts';
import { isClockTime } from '../../federated/calendar/dates.ts';

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

export type FieldIssue = { path: LogField; reason: EntryRefusal };
type CountField = 'baked' | 'sold' | 'wasted';

/** A bakery never logs a million of one product in a day: this catches typos like 12000. */
export const maxCount = 100_000;

/** What is wrong with one count; null when it is fine. */
export function countProblem(
  value: number,
): 'notANumber' | 'negative' | 'notWhole' | 'tooLarge' | null {
  if (!Number.isFinite(value)) return 'notANumber';
  if (value < 0) return 'negative';
  if (!Number.isInteger(value)) return 'notWhole';
  if (value > maxCount) return 'tooLarge';
  return null;
}

function countRefusal(field: CountField, value: number): EntryRefusal | null {
  const problem = countProblem(value);
  if (problem === null) return null;
  if (problem === 'tooLarge') return { code: 'entry.tooLarge', params: { field, max: maxCount } };
  return { code: `entry.${problem}`, params: { field } };
}

/**
 * Every rule a saved row must meet, one message per field, so the UI shows each beside its
 * input. Nothing is corrected here: a wrong row is refused as entered.
 */
export function validateRow(row: RowDraft, carriedOver: number): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const counts: [CountField, number | null][] = [
    ['baked', row.baked],
    ['sold', row.sold],
    ['wasted', row.wasted],
  ];
  for (const [path, value] of counts) {
    const reason = value === null ? null : countRefusal(path, value);
    if (reason) issues.push({ path, reason });
  }
  if (issues.length === 0 && row.baked !== null) {
    const used = row.sold + (row.wasted ?? 0);
    if (used > row.baked + carriedOver) {
      const reason: EntryRefusal = {
        code: 'entry.moreThanStock',
        params: { sold: row.sold, wasted: row.wasted || null, baked: row.baked, carriedOver },
      };
      issues.push({ path: 'sold', reason });
      if (row.wasted && row.wasted > 0) issues.push({ path: 'wasted', reason });
    }
  }
  const time = row.soldOutTime ?? null;
  if (time !== null && time !== '') {
    if (!isClockTime(time))
      issues.push({ path: 'soldOutTime', reason: { code: 'entry.badTime', params: {} } });
    else if (!row.soldOut)
      issues.push({
        path: 'soldOutTime',
        reason: { code: 'entry.timeWithoutSoldOut', params: {} },
      });
  }
  const noWaste = row.wasted === null || row.wasted === 0;
  if (noWaste && row.wasteReason)
    issues.push({ path: 'wasteReason', reason: { code: 'entry.reasonWithoutWaste', params: {} } });
  if (noWaste && row.wasteOutcome)
    issues.push({
      path: 'wasteOutcome',
      reason: { code: 'entry.outcomeWithoutWaste', params: {} },
    });
  return issues;
}
