import {
  expectedLeftovers,
  expectedShortage,
  quantileFunction,
  type Quantiles,
} from './quantile-function.ts';

/** Used when a product's price or cost is unknown: a typical bakery margin. */
export const defaultCriticalRatio = 0.7;

/**
 * Critical ratio (price − cost) / price: the lost margin of one unit short against the cost of
 * one unit wasted. Falls back to the default when either figure is missing or makes no sense.
 */
export function criticalRatio(
  price: number | null,
  cost: number | null,
): {
  ratio: number;
  isDefault: boolean;
} {
  if (price === null || cost === null || !(price > 0) || cost < 0 || cost >= price)
    return { ratio: defaultCriticalRatio, isDefault: true };
  return { ratio: (price - cost) / price, isDefault: false };
}

/**
 * The bake that minimises expected waste cost plus lost margin among whole quantities, never
 * below the par level. The cost is convex with its continuous minimum at the demand quantile at
 * the critical ratio, so the best whole quantity is one of the two around it: the cheaper one.
 */
export function newsvendorQuantity(
  q: Quantiles,
  ratio: number,
  parLevel: number | null = null,
): number {
  const below = Math.max(Math.floor(quantileFunction(q)(ratio)), 0);
  const cost = (quantity: number) =>
    decisionCost(expectedLeftovers(q, quantity), expectedShortage(q, quantity), ratio);
  const quantity = cost(below + 1) < cost(below) ? below + 1 : below;
  return parLevel !== null && parLevel > quantity ? Math.ceil(parLevel) : quantity;
}

/**
 * The bake when `stock` sellable units are already on hand: the best total supply less the
 * stock, never negative. Stock on hand costs nothing more whatever is baked, so the choice is
 * the total on the shelf, which is convex in its cost; the best total of at least `stock` is the
 * unconstrained best or `stock` itself. The par level bounds the shelf, not the new bake.
 */
export function bakeOnTopOf(
  q: Quantiles,
  ratio: number,
  parLevel: number | null,
  stock: number,
): number {
  return Math.max(newsvendorQuantity(q, ratio, parLevel) - stock, 0);
}

/** Waste at unit cost plus shortage at lost margin, in price units (cost = (1 − ratio) × price). */
export function decisionCost(waste: number, shortage: number, ratio: number, price = 1): number {
  return price * ((1 - ratio) * waste + ratio * shortage);
}
