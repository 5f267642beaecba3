import { z } from 'zod';
import { method } from './define.ts';

const figures = z.object({
  /** Weighted absolute percentage error of the median forecast (0.25 = 25 %). */
  wape: z.number(),
  /** Units left over had the bakery baked each day's recommended quantity. */
  waste: z.number().int(),
  /** Units customers wanted but did not get (sales above the bake). */
  shortage: z.number().int(),
  /** Waste at unit cost, over products with a known cost (null when none has one). */
  wasteCost: z.number().nullable(),
  /** Shortage at lost margin (price − cost), over products with price and cost. */
  lostMargin: z.number().nullable(),
});
export type ValueFigures = z.infer<typeof figures>;

export const valueOfJoining = z.object({
  from: z.string(),
  to: z.string(),
  /** Open days scored (each a day-ahead forecast from what was known the evening before). */
  days: z.number().int(),
  products: z.number().int(),
  /** The consortium (global) model version compared. */
  globalVersion: z.number().int(),
  /** True when the bakery's own days adapted the merged model (as its nightly training does). */
  adapted: z.boolean(),
  local: figures,
  consortium: figures,
  /** local − consortium: positive numbers are what the consortium model saves. */
  saved: z.object({
    waste: z.number().int(),
    shortage: z.number().int(),
    money: z.number().nullable(),
  }),
  /** Products whose money figures are missing because price or cost is not set. */
  unpricedProducts: z.array(z.string()),
  backend: z.string(),
  seconds: z.number(),
});
export type ValueOfJoining = z.infer<typeof valueOfJoining>;

export const valueContract = {
  'value.compare': method(
    'Value of joining: on the bakery’s own last N days, its model trained alone against the consortium model (plus its local adaptation): waste, shortage and money.',
    z.object({ days: z.number().int().min(7).max(180).optional() }),
    valueOfJoining,
  ),
};
