import type { Language } from '../api/contract/data.ts';
import type { LogField, WasteOutcome, WasteReason } from '../api/contract/logs.ts';
import { rowMessages, type RowMessages } from './validation-messages.ts';
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

export type FieldIssue = { path: LogField; message: string };

/** A bakery never logs a million of one product in a day: this catches typos like 12000. */
export const maxCount = 100_000;

/** What is wrong with one count, in words for the field; null when it is fine. */
export function countProblem(
  label: string,
  value: number,
  words: RowMessages = rowMessages.en,
): string | null {
  if (!Number.isFinite(value)) return words.notANumber(label);
  if (value < 0) return words.negative(label);
  if (!Number.isInteger(value)) return words.notWhole(label);
  if (value > maxCount) return words.tooLarge(label, maxCount);
  return null;
}

/**
 * Every rule a saved row must meet, one message per field, so the UI shows each beside its
 * input. Nothing is corrected here: a wrong row is refused as entered.
 */
export function validateRow(
  row: RowDraft,
  carriedOver: number,
  language: Language = 'en',
): FieldIssue[] {
  const words = rowMessages[language];
  const issues: FieldIssue[] = [];
  const counts: [LogField, string, number | null][] = [
    ['baked', words.labels.baked, row.baked],
    ['sold', words.labels.sold, row.sold],
    ['wasted', words.labels.wasted, row.wasted],
  ];
  for (const [path, label, value] of counts) {
    const problem = value === null ? null : countProblem(label, value, words);
    if (problem) issues.push({ path, message: problem });
  }
  if (issues.length === 0 && row.baked !== null) {
    const used = row.sold + (row.wasted ?? 0);
    const available = row.baked + carriedOver;
    if (used > available) {
      const stock = words.stock(row.baked, carriedOver);
      const message =
        row.wasted && row.wasted > 0
          ? words.soldAndWastedTooMany(row.sold, row.wasted, used, stock, available)
          : words.soldTooMany(row.sold, stock, available);
      issues.push({ path: 'sold', message });
      if (row.wasted && row.wasted > 0) issues.push({ path: 'wasted', message });
    }
  }
  const time = row.soldOutTime ?? null;
  if (time !== null && time !== '') {
    if (!isClockTime(time)) issues.push({ path: 'soldOutTime', message: words.badTime });
    else if (!row.soldOut)
      issues.push({
        path: 'soldOutTime',
        message: words.timeWithoutSoldOut,
      });
  }
  const noWaste = row.wasted === null || row.wasted === 0;
  if (noWaste && row.wasteReason)
    issues.push({
      path: 'wasteReason',
      message: words.reasonWithoutWaste,
    });
  if (noWaste && row.wasteOutcome)
    issues.push({
      path: 'wasteOutcome',
      message: words.outcomeWithoutWaste,
    });
  return issues;
}
