import { fmt } from './format.ts';
import type { Formats } from './privacy-words.ts';

/** The shop locale's number and date formats for the privacy sentences. */
export const privacyFormats: Formats = {
  number: (value, digits) => fmt.number(value, digits),
  date: (iso) => fmt.dateTime(iso),
};
