import { describe, expect, it } from 'vitest';
import { draftFromLog, type Draft } from '../../../renderer/src/lib/entry.ts';
import { parseKeptDraft } from '../../../renderer/src/lib/kept-drafts.ts';

const typed: Draft = { ...draftFromLog(null), baked: '12', sold: '9' };
const over = draftFromLog(null);

describe('kept drafts', () => {
  it('reads back a draft kept with the row it was typed over', () => {
    expect(parseKeptDraft(JSON.stringify({ draft: typed, over }))).toEqual({ draft: typed, over });
  });

  it('takes nothing it cannot read as a draft', () => {
    expect(parseKeptDraft(null)).toBeNull();
    expect(parseKeptDraft('{not json')).toBeNull();
    expect(parseKeptDraft('null')).toBeNull();
    expect(parseKeptDraft(JSON.stringify({ draft: typed }))).toBeNull();
    expect(parseKeptDraft(JSON.stringify({ draft: { ...typed, baked: 12 }, over }))).toBeNull();
    expect(parseKeptDraft(JSON.stringify({ draft: { ...typed, soldOut: 'no' }, over }))).toBeNull();
  });
});
