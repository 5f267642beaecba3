import type {
  LogEntry,
  SaveRowInput,
  WasteOutcome,
  WasteReason,
} from '../../../electron/api/contract/logs.ts';

/** What the entry row's inputs hold: text exactly as typed, so nothing is silently changed. */
export type Draft = {
  baked: string;
  sold: string;
  wasted: string;
  soldOut: boolean;
  soldOutTime: string;
  wasteReason: WasteReason | '';
  wasteOutcome: WasteOutcome | '';
  note: string;
};
export type DraftField = keyof Draft;
export const countFields = ['baked', 'sold', 'wasted'] as const;

/** Client-side refusals; the screen turns the code into words in the user's language. */
export type EntryProblem = 'whole' | 'soldRequired' | 'timeFormat';
export type EntryProblems = Partial<Record<DraftField, EntryProblem>>;

const count = (value: number | null | undefined): string => (value == null ? '' : String(value));

export function draftFromLog(log: LogEntry | null): Draft {
  return {
    baked: count(log?.baked),
    sold: log ? String(log.sold) : '',
    wasted: count(log?.wasted),
    soldOut: log?.soldOut ?? false,
    soldOutTime: log?.soldOutTime ?? '',
    wasteReason: log?.wasteReason ?? '',
    wasteOutcome: log?.wasteOutcome ?? '',
    note: log?.note ?? '',
  };
}

export const isBlankDraft = (draft: Draft): boolean =>
  draft.baked.trim() === '' &&
  draft.sold.trim() === '' &&
  draft.wasted.trim() === '' &&
  !draft.soldOut &&
  draft.note.trim() === '';

export const sameDraft = (a: Draft, b: Draft): boolean =>
  (Object.keys(a) as DraftField[]).every((key) => a[key] === b[key]);

/** True for what a count field may hold: nothing, or digits only (a whole, non-negative number). */
export const isWholeCount = (text: string): boolean => /^\d*$/.test(text.trim());

/** Wasted units above zero are what waste reason and outcome describe. */
export const hasWaste = (draft: Draft): boolean =>
  isWholeCount(draft.wasted) && Number(draft.wasted.trim() || '0') > 0;

export function checkDraft(draft: Draft): EntryProblems {
  const problems: EntryProblems = {};
  for (const field of countFields) {
    if (!isWholeCount(draft[field])) problems[field] = 'whole';
  }
  if (!problems.sold && draft.sold.trim() === '' && !isBlankDraft(draft)) {
    problems.sold = 'soldRequired';
  }
  if (draft.soldOut && draft.soldOutTime && !/^([01]\d|2[0-3]):[0-5]\d$/.test(draft.soldOutTime)) {
    problems.soldOutTime = 'timeFormat';
  }
  return problems;
}

/** The backend payload for a row; call only when checkDraft found nothing. */
export function toSaveInput(date: string, productId: number, draft: Draft): SaveRowInput {
  const optionalCount = (text: string) => (text.trim() === '' ? null : Number(text.trim()));
  const waste = hasWaste(draft);
  return {
    date,
    productId,
    baked: optionalCount(draft.baked),
    sold: Number(draft.sold.trim()),
    wasted: optionalCount(draft.wasted),
    soldOut: draft.soldOut,
    soldOutTime: draft.soldOut && draft.soldOutTime ? draft.soldOutTime : null,
    wasteReason: waste && draft.wasteReason ? draft.wasteReason : null,
    wasteOutcome: waste && draft.wasteOutcome ? draft.wasteOutcome : null,
    note: draft.note.trim() === '' ? null : draft.note.trim(),
  };
}

/** Which input a backend issue path ("sold", "wasted", "0.sold") belongs to, if any. */
export function fieldOfIssue(path: string): DraftField | null {
  const last = path.split('.').pop() ?? '';
  const fields: DraftField[] = [
    'baked',
    'sold',
    'wasted',
    'soldOut',
    'soldOutTime',
    'wasteReason',
    'wasteOutcome',
    'note',
  ];
  return (fields as string[]).includes(last) ? (last as DraftField) : null;
}
