import { describe, expect, it } from 'vitest';
import {
  coordinatorSettings,
  defaultRoundSettings,
  settingsUpdate,
} from '../../../federated/protocol/index.ts';

/** The operator's total privacy budget in the one settings schema both sides use. */
describe('privacy budget in the coordinator settings schema', () => {
  it('accepts a budget with its delta, and null for no limit', () => {
    expect(settingsUpdate.parse({ privacy: { delta: 1e-6, budget: 8 } }).privacy).toEqual({
      delta: 1e-6,
      budget: 8,
    });
    expect(settingsUpdate.parse({ privacy: { budget: null } }).privacy).toEqual({ budget: null });
    expect(settingsUpdate.parse({ privacy: { budget: 3 } }).privacy).toEqual({ budget: 3 });
  });

  it('refuses a budget that is zero, negative, not finite or not a number, and a delta out of range', () => {
    for (const budget of [0, -1, Infinity, Number.NaN, '5', 2e6])
      expect(settingsUpdate.safeParse({ privacy: { budget } }).success, String(budget)).toBe(false);
    for (const delta of [0, -1e-5, 0.5, 1, null])
      expect(settingsUpdate.safeParse({ privacy: { delta } }).success, String(delta)).toBe(false);
  });

  it('a partial update names only what it changes: no defaults fill in what the operator left out', () => {
    const update = settingsUpdate.parse({
      round: { noiseMultiplier: 1.1 },
      privacy: { budget: 4 },
    });
    expect(update.round).toEqual({ noiseMultiplier: 1.1 });
    expect(update.privacy).toEqual({ budget: 4 });
  });

  it('stored settings written before the budget existed read as no budget at delta 1e-5', () => {
    const old = coordinatorSettings.parse({ schedule: null, round: defaultRoundSettings });
    expect(old.privacy).toEqual({ delta: 1e-5, budget: null });
  });
});
