import type { Draft } from './entry.ts';

/**
 * Rows typed but not yet saved, kept in the tab's sessionStorage on every keystroke. The save a
 * row sends as the page unloads may never arrive (a busy machine, a renderer that is killed), so
 * the next load of the same day finds the typing here and saves it then. `over` is the row as it
 * was stored when the typing began: a kept draft is only taken back while the stored row is still
 * that one, so typing never overwrites a change made elsewhere meanwhile.
 */
export type KeptDraft = { draft: Draft; over: Draft };

const prefix = 'breadcast.draft:';
const keyOf = (date: string, productId: number) => `${prefix}${date}:${productId}`;

const draftKeys: Record<keyof Draft, 'string' | 'boolean'> = {
  baked: 'string',
  sold: 'string',
  wasted: 'string',
  soldOut: 'boolean',
  soldOutTime: 'string',
  wasteReason: 'string',
  wasteOutcome: 'string',
  note: 'string',
};

function isDraft(value: unknown): value is Draft {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return Object.entries(draftKeys).every(([key, type]) => typeof record[key] === type);
}

/** Reads a kept draft back; anything unreadable (another version's shape) counts as none. */
export function parseKeptDraft(text: string | null): KeptDraft | null {
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as Partial<KeptDraft> | null;
    return value && isDraft(value.draft) && isDraft(value.over)
      ? { draft: value.draft, over: value.over }
      : null;
  } catch {
    return null;
  }
}

/** The tab's storage, or none where it is refused (storage disabled, a full quota). */
function storage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

export function keepDraft(date: string, productId: number, kept: KeptDraft): void {
  try {
    storage()?.setItem(keyOf(date, productId), JSON.stringify(kept));
  } catch {
    // A full or refused storage only loses the safety net; the unload save still runs.
  }
}

export function keptDraft(date: string, productId: number): KeptDraft | null {
  return parseKeptDraft(storage()?.getItem(keyOf(date, productId)) ?? null);
}

export function dropDraft(date: string, productId: number): void {
  storage()?.removeItem(keyOf(date, productId));
}
