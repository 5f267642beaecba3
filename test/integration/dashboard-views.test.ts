import type { FastifyInstance } from 'fastify';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCoordinator } from '../../coordinator/app.ts';
import { createOperator } from '../../coordinator/operator/accounts.ts';
import { dashboardPlugin } from '../../coordinator/overview/plugin.ts';
import type {
  ModelsView,
  OverviewView,
  PrivacyView,
  RoundDetailView,
  RoundsView,
  ShopsView,
} from '../../federated/protocol/operator-views.ts';
import {
  OperatorClient,
  runScenario,
  secretFigures,
  SimShop,
  type Scenario,
} from './dashboard-shops.ts';

const password = 'a long operator password';

describe('operator dashboard views over real HTTP', () => {
  let app: FastifyInstance;
  let base: string;
  let operator: OperatorClient;
  let scenario: Scenario;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'breadcast-dashboard-'));
    app = await buildCoordinator({
      db: join(dir, 'coordinator.sqlite'),
      logger: pino({ level: 'silent' }),
      schedule: false,
      // A small model keeps the test fast; the views do not depend on its size.
      initialWeights: () => new Float32Array(64),
      plugins: [dashboardPlugin({ changePollMs: 100 })],
    });
    await createOperator(app.coordinator.store, 'ops', password, new Date());
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    operator = new OperatorClient(base);
    await operator.login('ops', password);
    await operator.call('PUT', '/v1/operator/settings', {
      round: { mode: 'plain', noiseMultiplier: 1.1, clipNorm: 1 },
    });
    scenario = await runScenario(base, operator);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('shows tonight as quiet, three enrolled shops online, and the current model without a per-shop error', async () => {
    const overview = await operator.call<OverviewView>('GET', '/v1/operator/views/overview');
    expect(overview.tonight).toBeNull();
    expect(overview.lastRound).toMatchObject({
      roundId: scenario.rounds[2],
      outcome: 'failed',
      participants: 1,
    });
    expect(overview.shops).toEqual({ enrolled: 3, revoked: 0, onlineLast24h: 3 });
    expect(overview.model?.version).toBe(3);
    // Plain rounds carry no masked sum, so there is no consortium figure to show.
    expect(overview.errorMetric).toBeNull();
    expect(overview.errorTrend).toEqual([]);
    const today = new Date().toISOString().slice(0, 10);
    expect(overview.participationByDay).toEqual([{ day: today, enrolled: 3, joined: 3 }]);
  });

  it('lists shops with participation and never a per-shop figure', async () => {
    const view = await operator.call<ShopsView>('GET', '/v1/operator/views/shops');
    const byName = Object.fromEntries(view.shops.map((s) => [s.name, s]));
    expect(byName['Bäckerei Sonne']).toMatchObject({ roundsJoined: 3, roundsMissed: 0 });
    expect(byName['Boulangerie Lune']).toMatchObject({ roundsJoined: 2, roundsMissed: 1 });
    expect(byName['Panadería Sol']).toMatchObject({ roundsJoined: 1, roundsMissed: 2 });
    expect(byName['Panadería Sol']!.strip.map((s) => s.mark)).toEqual([
      'joined',
      'dropped',
      'missed',
    ]);
    expect(byName['Boulangerie Lune']!.appVersion).toBe('0.1.1');
    expect(view.invites).toHaveLength(3);
    expect(view.invites.every((invite) => invite.status === 'used')).toBe(true);
  });

  it('gives round history with phase durations, dropouts and outcomes', async () => {
    const { rounds } = await operator.call<RoundsView>('GET', '/v1/operator/views/rounds');
    const [third, second, first] = rounds;
    expect(first).toMatchObject({
      outcome: 'published',
      participants: 3,
      uploaded: 3,
      dropouts: 0,
    });
    expect(first!.modelOut).toBe(2);
    expect(second).toMatchObject({
      outcome: 'published',
      participants: 3,
      uploaded: 2,
      dropouts: 1,
    });
    expect(third).toMatchObject({
      outcome: 'failed',
      participants: 1,
      uploaded: 1,
      modelOut: null,
    });
    expect(third!.failureReason).toMatch(/at least 2/);
    for (const round of rounds) {
      expect(round.phases.map((p) => p.phase)).toContain('collect');
      for (const span of round.phases) expect(span.durationMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('details one round: who took part, the settings it ran with, what the coordinator saw, and no epsilon for a plain round', async () => {
    const detail = await operator.call<RoundDetailView>(
      'GET',
      `/v1/operator/views/rounds/${scenario.rounds[1]}`,
    );
    expect(Object.fromEntries(detail.shops.map((s) => [s.name, s.mark]))).toEqual({
      'Bäckerei Sonne': 'joined',
      'Boulangerie Lune': 'joined',
      'Panadería Sol': 'dropped',
    });
    expect(detail.settings.noiseMultiplier).toBe(1.1);
    expect(detail.privacy).toEqual({
      mode: 'plain',
      noiseMultiplier: 0,
      clipNorm: detail.settings.clipNorm,
      threshold: null,
      colluders: null,
      rosterSize: null,
      summed: 2,
      released: true,
      configuration: null,
    });
    expect(detail.evaluation).toBeNull();
    // Plain rounds carry no noise whatever the multiplier says: no epsilon is claimed.
    expect(detail.epsilon).toBeNull();
    const missing = await operator.raw('GET', '/v1/operator/views/rounds/999');
    expect(missing.status).toBe(404);
  });

  it('lists model versions without per-shop figures and follows a rollback', async () => {
    let models = await operator.call<ModelsView>('GET', '/v1/operator/views/models');
    expect(models.current).toBe(3);
    for (const model of models.models)
      expect(model).toMatchObject({ shopsReporting: 0, metrics: {} });
    await operator.call('POST', '/v1/operator/models/2/rollback', {});
    models = await operator.call<ModelsView>('GET', '/v1/operator/views/models');
    expect(models.current).toBe(2);
    expect(models.models.filter((m) => m.current).map((m) => m.version)).toEqual([2]);
    await operator.call('POST', '/v1/operator/models/3/rollback', {});
  });

  it('claims no privacy bound for plain rounds, even with a noise multiplier set', async () => {
    const view = await operator.call<PrivacyView>('GET', '/v1/operator/views/privacy');
    // The failed third round counts too: the coordinator read the one plain update it got.
    expect(view.summary).toMatchObject({
      available: false,
      epsilonTotal: null,
      roundsCounted: 3,
      roundsWithoutNoise: 3,
    });
    expect(view.series).toEqual([]);
  });

  it('reveals no shop’s own evaluation figures in any view', async () => {
    const paths = ['overview', 'shops', 'rounds', 'models', 'privacy'].map(
      (v) => `/v1/operator/views/${v}`,
    );
    for (const round of scenario.rounds) paths.push(`/v1/operator/views/rounds/${round}`);
    const bodies = await Promise.all(paths.map(async (p) => (await operator.raw('GET', p)).text()));
    for (const figures of Object.values(secretFigures))
      for (const body of bodies) {
        expect(body).not.toContain(String(figures.wape));
        expect(body).not.toContain(String(figures.pinball));
      }
  });

  it('refuses the views without an operator session, and to shop credentials', async () => {
    const anonymous = await fetch(`${base}/v1/operator/views/overview`);
    expect(anonymous.status).toBe(401);
    // A signed, enrolled shop is still not an operator.
    const shop = scenario.shops.a as unknown as {
      request: (m: string, p: string) => Promise<unknown>;
    };
    await expect(shop.request('GET', '/v1/operator/views/shops')).rejects.toThrow(/401/);
    const events = await fetch(`${base}/v1/operator/events`);
    expect(events.status).toBe(401);
  });

  it('refuses an operator change without the CSRF token', async () => {
    const response = await operator.raw(
      'POST',
      '/v1/operator/invites',
      { expiresInHours: 1 },
      false,
    );
    expect(response.status).toBe(403);
  });

  it('pushes a changed event when a shop enrols while the stream is open', async () => {
    const controller = new AbortController();
    const response = await fetch(`${base}/v1/operator/events`, {
      headers: { cookie: operator.cookie },
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let seen = '';
    while (!seen.includes(': connected')) seen += decoder.decode((await reader.read()).value);
    const late = new SimShop(base, 'Late Bakery');
    await late.enrol((await operator.invite('late')).code);
    const deadline = Date.now() + 5000;
    while (!seen.includes('event: changed') && Date.now() < deadline)
      seen += decoder.decode((await reader.read()).value);
    controller.abort();
    expect(seen).toContain('event: changed');
  });

  it('documents every dashboard view in /openapi.json', async () => {
    const spec = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    for (const path of [
      '/v1/operator/views/overview',
      '/v1/operator/views/shops',
      '/v1/operator/views/rounds',
      '/v1/operator/views/rounds/{id}',
      '/v1/operator/views/models',
      '/v1/operator/views/privacy',
      '/v1/operator/events',
    ])
      expect(spec.paths).toHaveProperty([path]);
  });
});
