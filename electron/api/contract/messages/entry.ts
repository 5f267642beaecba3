import { z } from 'zod';
import { count, says } from './define.ts';

export const countField = z.enum(['baked', 'sold', 'wasted']);

/** Refusals of one daily-entry row, each shown beside its field. */
export const entryRefusal = z.discriminatedUnion('code', [
  says('entry.notANumber', { field: countField }),
  says('entry.negative', { field: countField }),
  says('entry.notWhole', { field: countField }),
  says('entry.tooLarge', { field: countField, max: count }),
  /** Sold (+ wasted) exceed what there was: baked plus stock carried over. */
  says('entry.moreThanStock', {
    sold: count,
    wasted: count.nullable(),
    baked: count,
    carriedOver: count,
  }),
  says('entry.badTime', {}),
  says('entry.timeWithoutSoldOut', {}),
  says('entry.reasonWithoutWaste', {}),
  says('entry.outcomeWithoutWaste', {}),
]);
export type EntryRefusal = z.infer<typeof entryRefusal>;
