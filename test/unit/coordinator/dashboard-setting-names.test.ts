import { describe, expect, it } from 'vitest';
import { de } from '../../../coordinator/dashboard/src/i18n/de.ts';
import { en } from '../../../coordinator/dashboard/src/i18n/en.ts';
import { fr } from '../../../coordinator/dashboard/src/i18n/fr.ts';
import { flattenSettings } from '../../../coordinator/overview/rounds-view.ts';
import { roundSettings } from '../../../federated/protocol/rounds.ts';

/** Every key a round can record, over each server optimizer and with adaptive clipping on. */
const recordedKeys = [
  { serverOptimizer: { kind: 'fedavg' } },
  { serverOptimizer: { kind: 'fedavgm' }, adaptiveClip: {} },
  { serverOptimizer: { kind: 'fedadam' } },
].flatMap((input) => Object.keys(flattenSettings(roundSettings.parse(input))));

describe('the round page’s list of recorded settings', () => {
  it.each([
    ['en', en],
    ['de', de],
    ['fr', fr],
  ])('names every setting a round records in %s', (_, dictionary) => {
    const names = dictionary.round.settingNames;
    expect(recordedKeys.filter((key) => !names[key])).toEqual([]);
    expect(new Set(recordedKeys).size).toBeGreaterThan(20);
  });

  it('says something else than English in German and French', () => {
    for (const key of recordedKeys) {
      if (/[zτβ]/.test(en.round.settingNames[key]!)) continue;
      expect(de.round.settingNames[key], key).not.toBe(en.round.settingNames[key]);
      expect(fr.round.settingNames[key], key).not.toBe(en.round.settingNames[key]);
    }
  });
});
