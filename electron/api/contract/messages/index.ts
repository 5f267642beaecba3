import { z } from 'zod';
import { entryRefusal } from './entry.ts';
import { forecastReason, historyTooShort } from './forecast.ts';
import { importFileProblem, importRefusal, importWarning } from './import.ts';
import { inputProblem, refusal } from './refusals.ts';

/**
 * Every message the backend can hand to a bakery screen, defined once. The renderer's
 * catalogues (renderer/src/i18n/messages/) are typed against it, so a code without words in
 * one of the languages fails the type check.
 */
export const message = z.discriminatedUnion('code', [
  ...forecastReason.options,
  historyTooShort,
  ...entryRefusal.options,
  ...importFileProblem.options,
  ...importRefusal.options,
  ...importWarning.options,
  ...refusal.options,
  ...inputProblem.options,
]);
export type Message = z.infer<typeof message>;
export type MessageCode = Message['code'];
export type MessageOf<C extends MessageCode> = Extract<Message, { code: C }>;

export { forecastReason, historyTooShort, type ForecastReason } from './forecast.ts';
export { countField, entryRefusal, type EntryRefusal } from './entry.ts';
export {
  importProblemReason,
  importRefusal,
  importWarning,
  type ImportProblemReason,
} from './import.ts';
export { inputProblem, refusal, type InputProblem } from './refusals.ts';
