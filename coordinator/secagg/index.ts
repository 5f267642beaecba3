/**
 * Secure aggregation on the coordinator: the default round mode, which buildCoordinator wires
 * into every coordinator (mode and routes).
 */
export { secureMode } from './mode.ts';
export { secureAggregationRoutes } from './routes.ts';
export { loadSecAggState, thresholdFor } from './state.ts';
