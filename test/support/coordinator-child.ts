/**
 * A coordinator in its own process with secure aggregation wired in (the `breadcast coordinator`
 * command serves plain rounds only), so fault tests can SIGKILL it in every secure phase.
 * Usage: node --import tsx test/support/coordinator-child.ts DB PORT
 */
import { pino } from 'pino';
import { buildCoordinator } from '../../coordinator/app.ts';
import { secureAggregationRoutes, secureMode } from '../../coordinator/secagg/index.ts';

const [db, port] = process.argv.slice(2);
if (!db) throw new Error('usage: coordinator-child.ts DB PORT');
const app = await buildCoordinator({
  db,
  logger: pino({ level: 'silent' }),
  initialWeights: () => new Float32Array(9),
  schedule: false,
  modes: [secureMode],
  plugins: [secureAggregationRoutes],
});
const address = await app.listen({ host: '127.0.0.1', port: Number(port ?? 0) });
process.stdout.write(`Breadcast coordinator listening on ${address}\n`);
