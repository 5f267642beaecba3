import type { HolidayRegion, Language } from '../../../electron/api/contract/data.ts';

/** Where a bakery is, as the location question edits it: what follows from it is the backend's. */
export type Location = {
  holidayRegion: HolidayRegion | null;
  currency: string;
  timeZone: string;
  language: Language;
};
