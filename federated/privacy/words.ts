/** The privacy budget in plain words, shared by the CLI, the bakery app and the dashboard. */

/** Plain words for an owner or operator; large budgets are said to be large, not softened. */
export function describeEpsilon(epsilon: number, rounds: number, delta: number, q: number): string {
  const who =
    q === 1
      ? 'every bakery taking part in every round'
      : `each bakery taking part in a round with probability ${q}`;
  const base = `After ${rounds} round${rounds === 1 ? '' : 's'}, with ${who}, the published models together have a privacy budget of epsilon = ${Number.isFinite(epsilon) ? epsilon.toFixed(2) : 'infinity'} (delta = ${delta}).`;
  if (!Number.isFinite(epsilon))
    return `${base} Without noise there is no formal privacy guarantee at all: only secure aggregation and clipping protect a bakery.`;
  if (epsilon <= 1)
    return `${base} That is a strong guarantee: the models reveal very little about whether any one bakery took part or what it sold.`;
  if (epsilon <= 10)
    return `${base} That is a moderate guarantee, in the range many published deployments use; it is not a promise that nothing about a bakery can be inferred.`;
  return `${base} That is a weak guarantee: with few bakeries and nightly rounds the budget grows large, so treat the noise as making inference harder, not impossible. More bakeries, fewer rounds or more noise lower it.`;
}
