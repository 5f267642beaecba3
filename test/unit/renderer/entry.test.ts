import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../../electron/api/contract/logs.ts';
import {
  checkDraft,
  draftFromLog,
  fieldOfIssue,
  isBlankDraft,
  sameDraft,
  toSaveInput,
} from '../../../renderer/src/lib/entry.ts';

const log: LogEntry = {
  date: '2026-11-20',
  productId: 3,
  baked: 40,
  sold: 31,
  wasted: 4,
  carriedOver: 0,
  soldOut: true,
  soldOutTime: '15:10',
  wasteReason: 'unsold',
  wasteOutcome: 'donated',
  note: 'rainy',
  updatedAt: '2026-11-20T18:00:00Z',
};

describe('daily entry drafts', () => {
  it('round-trips a saved row through the inputs unchanged', () => {
    const draft = draftFromLog(log);
    expect(draft).toEqual({
      baked: '40',
      sold: '31',
      wasted: '4',
      soldOut: true,
      soldOutTime: '15:10',
      wasteReason: 'unsold',
      wasteOutcome: 'donated',
      note: 'rainy',
    });
    expect(checkDraft(draft)).toEqual({});
    const {
      date,
      productId,
      baked,
      sold,
      wasted,
      soldOut,
      soldOutTime,
      wasteReason,
      wasteOutcome,
      note,
    } = log;
    expect(toSaveInput(log.date, log.productId, draft)).toEqual({
      date,
      productId,
      baked,
      sold,
      wasted,
      soldOut,
      soldOutTime,
      wasteReason,
      wasteOutcome,
      note,
    });
  });

  it('keeps unknown counts unknown instead of turning them into zero', () => {
    const draft = { ...draftFromLog(null), sold: '12' };
    expect(toSaveInput('2026-11-20', 1, draft)).toMatchObject({
      baked: null,
      wasted: null,
      sold: 12,
    });
  });

  it('asks for the sold count once anything else in the row is filled', () => {
    expect(checkDraft(draftFromLog(null))).toEqual({});
    expect(isBlankDraft(draftFromLog(null))).toBe(true);
    expect(checkDraft({ ...draftFromLog(null), baked: '10' })).toEqual({ sold: 'soldRequired' });
  });

  it('refuses anything but whole non-negative counts, without changing the text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const draft = { ...draftFromLog(null), sold: '1', baked: text };
        const whole = /^\d*$/.test(text.trim());
        expect(checkDraft(draft).baked === 'whole').toBe(!whole);
        expect(draft.baked).toBe(text);
      }),
    );
    for (const bad of ['-1', '2.5', '1e3', '3,0', 'ten']) {
      expect(checkDraft({ ...draftFromLog(null), sold: bad })).toEqual({ sold: 'whole' });
    }
  });

  it('drops waste reason and outcome when nothing was wasted, and the time when not sold out', () => {
    const draft = { ...draftFromLog(log), wasted: '0', soldOut: false };
    expect(toSaveInput('2026-11-20', 3, draft)).toMatchObject({
      wasteReason: null,
      wasteOutcome: null,
      soldOutTime: null,
    });
  });

  it('checks the sold-out time format', () => {
    expect(checkDraft({ ...draftFromLog(log), soldOutTime: '25:00' })).toEqual({
      soldOutTime: 'timeFormat',
    });
  });

  it('compares drafts field by field', () => {
    expect(sameDraft(draftFromLog(log), draftFromLog(log))).toBe(true);
    expect(sameDraft(draftFromLog(log), { ...draftFromLog(log), note: 'x' })).toBe(false);
  });

  it('maps backend issue paths to the input they belong to', () => {
    expect(fieldOfIssue('sold')).toBe('sold');
    expect(fieldOfIssue('rows.0.wasted')).toBe('wasted');
    expect(fieldOfIssue('productId')).toBeNull();
    expect(fieldOfIssue('')).toBeNull();
  });
});
