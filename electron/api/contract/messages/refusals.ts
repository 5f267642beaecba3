import { z } from 'zod';
import { count, day, says } from './define.ts';

/** Requests the backend turns down, as the screens explain them. */
export const refusal = z.discriminatedUnion('code', [
  /** A payload failed its schema: the first issue's field is named (developers read `message`). */
  says('refusal.invalidRequest', { field: z.string() }),
  says('refusal.unknownRegion', { region: z.string() }),
  says('refusal.unknownTimeZone', { zone: z.string() }),
  says('refusal.backupNewer', { name: z.string() }),
  says('refusal.notABackup', { name: z.string() }),
  says('refusal.backupUnreadable', { name: z.string(), detail: z.string() }),
  says('refusal.noSuchBackup', { name: z.string() }),
  says('refusal.restoreFailed', { name: z.string(), detail: z.string() }),
  says('refusal.noSuchProduct', { id: count }),
  says('refusal.productNameTaken', { name: z.string(), inactive: z.boolean() }),
  says('refusal.noModel', {}),
  says('refusal.noSalesForProduct', {}),
  says('refusal.nothingToBacktest', {}),
  says('refusal.backtestFailed', { detail: z.string() }),
  says('refusal.trainingRunning', {}),
  says('refusal.nothingToCompare', {}),
  says('refusal.tooLittleHistoryToCompare', { from: day, minimumDays: count }),
  says('refusal.noDaysToCompare', { from: day }),
  says('refusal.comparisonRunning', {}),
  says('refusal.notEnrolled', {}),
  says('refusal.noConsortiumModel', {}),
  says('refusal.consortiumModelOutdated', {}),
  says('refusal.syncRunning', {}),
  /** The coordinator could not be reached or refused; `detail` is technical. */
  says('refusal.syncFailed', { detail: z.string(), retryable: z.boolean() }),
]);

/** One field of a form the backend's schema refused, by the kind of problem. */
export const inputProblem = z.discriminatedUnion('code', [
  says('input.required', {}),
  says('input.tooShort', { minimum: count }),
  says('input.tooLong', { maximum: count }),
  says('input.tooSmall', { minimum: z.number() }),
  says('input.tooLarge', { maximum: z.number() }),
  says('input.url', {}),
  says('input.format', {}),
  says('input.invalid', {}),
]);
export type InputProblem = z.infer<typeof inputProblem>;
