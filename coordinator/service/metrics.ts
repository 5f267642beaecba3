import type { FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { roundPhases } from '../../federated/protocol/index.ts';
import type { CoordinatorStore } from '../store/sql.ts';

/** A shop counts as active when it signed a request within this window. */
export const activeWindowMs = 24 * 60 * 60 * 1000;

/** The routes whose answers count as uploads, and which kind of round they belong to. */
const uploadRoutes = new Map([
  ['/v1/rounds/:roundId/update', 'plain'],
  ['/v1/rounds/:roundId/secagg/masked', 'secure'],
]);

/**
 * The coordinator's Prometheus metrics, on a registry of its own (several coordinators may run in
 * one process: tests, the simulation). Request figures are counted as requests end; rounds and
 * shops are read from the store when scraped, so every instance on a shared PostgreSQL reports
 * the consortium's state, not only what passed through it.
 */
export class CoordinatorMetrics {
  readonly registry = new Registry();
  private readonly latency: Histogram<'method' | 'route' | 'status_code'>;
  private readonly uploads: Counter<'mode' | 'outcome' | 'reason'>;

  constructor(store: CoordinatorStore, now: () => Date) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'breadcast_' });
    this.latency = new Histogram({
      name: 'breadcast_http_request_duration_seconds',
      help: 'Time from request to answer, by route pattern (unmatched paths are one route).',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.uploads = new Counter({
      name: 'breadcast_uploads_total',
      help: 'Shop uploads (plain updates, masked inputs): accepted (stored or a duplicate retry) or refused, by reason.',
      labelNames: ['mode', 'outcome', 'reason'],
      registers,
    });
    new Gauge({
      name: 'breadcast_rounds',
      help: 'Rounds in each phase (at most one outside published and failed).',
      labelNames: ['phase'],
      registers,
      async collect() {
        const rows = await store.all<{ phase: string; c: number }>(
          'SELECT phase, COUNT(*) AS c FROM rounds GROUP BY phase',
        );
        const counts = new Map(rows.map((row) => [row.phase, Number(row.c)]));
        for (const phase of roundPhases) this.set({ phase }, counts.get(phase) ?? 0);
      },
    });
    new Gauge({
      name: 'breadcast_shops_enrolled',
      help: 'Enrolled shops whose access is not revoked.',
      registers,
      async collect() {
        const row = await store.get<{ c: number }>(
          'SELECT COUNT(*) AS c FROM shops WHERE revoked_at IS NULL',
        );
        this.set(Number(row?.c ?? 0));
      },
    });
    new Gauge({
      name: 'breadcast_shops_active',
      help: 'Enrolled, non-revoked shops that signed a request in the last 24 hours.',
      registers,
      async collect() {
        const since = new Date(now().getTime() - activeWindowMs).toISOString();
        const row = await store.get<{ c: number }>(
          'SELECT COUNT(*) AS c FROM shops WHERE revoked_at IS NULL AND last_seen_at >= ?',
          [since],
        );
        this.set(Number(row?.c ?? 0));
      },
    });
  }

  /** onSend: counts an upload's outcome from the answer it gets. */
  countUpload(request: FastifyRequest, reply: FastifyReply, payload: unknown): void {
    const mode = uploadRoutes.get(request.routeOptions.url ?? '');
    if (!mode || typeof payload !== 'string') return;
    if (reply.statusCode < 400) {
      const duplicate = payload.includes('"duplicate":true');
      this.uploads.inc({ mode, outcome: 'accepted', reason: duplicate ? 'duplicate' : 'stored' });
      return;
    }
    this.uploads.inc({ mode, outcome: 'refused', reason: errorCodeOf(payload) });
  }

  /** onResponse: the request's latency under its route pattern. */
  observe(request: FastifyRequest, reply: FastifyReply): void {
    this.latency.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  }
}

/** The `error` code of an error answer (every refusal carries one); `unknown` if it has none. */
function errorCodeOf(payload: string): string {
  try {
    const code = (JSON.parse(payload) as { error?: unknown }).error;
    return typeof code === 'string' ? code : 'unknown';
  } catch {
    return 'unknown';
  }
}
