/**
 * Secure aggregation on the coordinator. Wire it in with
 *   buildCoordinator({ ..., modes: [secureMode], plugins: [secureAggregationRoutes] })
 * and start rounds with settings `{ mode: 'secure', secaggThreshold, noiseMultiplier, clipNorm }`.
 */
export { secureMode } from './mode.ts';
export { secureAggregationRoutes } from './routes.ts';
export { loadSecAggState, thresholdFor } from './state.ts';
