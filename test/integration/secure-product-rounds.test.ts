import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { listLedger } from '../../electron/sync/ledger.ts';
import { lifetimeEpsilon as shopEpsilon } from '../../electron/privacy/budget.ts';
import { defaultPrivacyPolicy } from '../../electron/privacy/policy.ts';
import { budgetEpsilon, emptyBudget, spendRound } from '../../federated/privacy/accountant.ts';
import { encodeFloat32 } from '../../federated/protocol/index.ts';
import {
  clippedDelta,
  integrityOf,
  phaseDeadlines,
  startConsortium,
  stopConsortia,
} from '../support/shops.ts';
import { storedWeights } from '../support/coordinator-store.ts';

/*
 * Secure aggregation and the privacy budget in the shipped product: the real coordinator CLI
 * (`node bin/breadcast.mjs coordinator`) as a child process, shops that only ever call
 * SyncClient.runOnce (what the app's nightly job and "sync now" do), settings through the
 * operator API. Shops train the harness's small linear model on real bakery-chain.csv slices.
 */

const hour = 3600;
const z = 1.2;
const delta = 1e-5;
const train = { localEpochs: 5, learningRate: 0.05, clipNorm: 0.5 };
const epsilonAfter = (rounds: number) =>
  budgetEpsilon(
    Array.from({ length: rounds }).reduce<ReturnType<typeof emptyBudget>>(
      (b) => spendRound(b, { noiseMultiplier: z }),
      emptyBudget(),
    ),
    delta,
  );

function withDb<T>(path: string, read: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

afterAll(stopConsortia);

describe('secure aggregation in the shipped coordinator and sync client', () => {
  it('a noised secure round publishes through runOnce alone; ledgers, privacy view and the coordinator DB say what they should; the budget then stops rounds', async () => {
    const { dbPath, operator, shops } = await startConsortium('secure-product', 4, 'sp', {
      ...defaultPrivacyPolicy,
      minShops: 4,
    });

    // One round fits in the budget, a second would not.
    const budget = Number(((epsilonAfter(1) + epsilonAfter(2)) / 2).toFixed(3));
    const put = await operator.call('PUT', '/v1/operator/settings', {
      schedule: null,
      round: {
        ...train,
        mode: 'secure',
        minShops: 3,
        secaggThreshold: 3,
        noiseMultiplier: z,
        weighting: 'equal',
        serverOptimizer: { kind: 'fedavg', learningRate: 1 },
        deadlines: phaseDeadlines(hour),
      },
      privacy: { delta, budget },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.privacy).toEqual({ delta, budget });
    const got = await operator.call('GET', '/v1/operator/settings');
    expect(got.body.privacy).toEqual({ delta, budget });

    const opened = await operator.call('POST', '/v1/operator/rounds', {});
    expect(opened.status, JSON.stringify(opened.body)).toBe(200);
    const roundId = Number(opened.body.id);
    const before = withDb(dbPath, (db) => storedWeights(db, Number(opened.body.modelVersion)));
    const phaseOf = (id: number) =>
      withDb(
        dbPath,
        (db) =>
          db
            .prepare('SELECT phase, failure_reason, result_version FROM rounds WHERE id = ?')
            .get(id) as {
            phase: string;
            failure_reason: string | null;
            result_version: number | null;
          },
      );

    // Shops poll: each sync does this bakery's next step of the round.
    const seenPhases = new Set<string>();
    const participated = new Map<string, number>();
    for (let poll = 0; poll < 12; poll++) {
      const phase = phaseOf(roundId).phase;
      seenPhases.add(phase);
      if (phase === 'published' || phase === 'failed') break;
      for (const shop of shops) {
        const result = await shop.client.runOnce();
        expect(result.status.lastError, shop.name).toBeNull();
        if (result.participatedInRound !== null)
          participated.set(shop.name, result.participatedInRound);
        if (phase !== 'published') {
          // While its round runs the shop says so and the nightly loop keeps polling.
          expect(shop.client.inSecureRound() || phaseOf(roundId).phase === 'published').toBe(true);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const row = phaseOf(roundId);
    expect(row.phase, String(row.failure_reason)).toBe('published');
    expect([...seenPhases]).toEqual(
      expect.arrayContaining(['advertise', 'share', 'collect', 'confirm', 'unmask']),
    );
    expect([...participated.values()]).toEqual([roundId, roundId, roundId, roundId]);

    // One more sync: the shops see the round finished, forget its SecAgg state, take the model.
    for (const shop of shops) {
      const result = await shop.client.runOnce();
      expect(result.status.modelVersion).toBe(row.result_version);
      expect(result.status.roundActivity).toBeNull();
      expect(shop.client.inSecureRound()).toBe(false);
      const secaggRows = shop.db
        .prepare("SELECT COUNT(*) AS n FROM settings WHERE key LIKE 'secagg.round.%'")
        .get() as { n: number };
      expect(secaggRows.n).toBe(0);
    }

    // Each ledger: one masked upload, with its clip norm, noise and the epsilon spent.
    const eps1 = epsilonAfter(1);
    for (const shop of shops) {
      const uploads = listLedger(shop.db, { limit: 50 }).entries.filter((e) => e.kind === 'masked');
      expect(uploads).toHaveLength(1);
      expect(uploads[0]).toMatchObject({ roundId, clipNorm: train.clipNorm, noiseMultiplier: z });
      expect(uploads[0]!.epsilonSpent!).toBeCloseTo(eps1, 6);
      expect(uploads[0]!.details).toMatchObject({ mode: 'secure', noiseMultiplier: z });
      expect(shopEpsilon(shop.db)!).toBeCloseTo(eps1, 6);
      // Charged as the distributed discrete Gaussian it ran: the masked vector's length and τ.
      const charge = shop.db.prepare('SELECT tau, dimension FROM privacy_charges').get() as {
        tau: number;
        dimension: number;
      };
      const parameters = Number(uploads[0]!.details.parameters);
      expect(charge.dimension).toBeGreaterThanOrEqual(parameters + 1);
      expect(charge.dimension).toBeLessThanOrEqual(parameters + 5);
      expect(charge.tau).toBeGreaterThanOrEqual(0);
      const privacy = shop.client.status().privacy;
      expect(privacy.epsilon!).toBeCloseTo(eps1, 6);
      expect(privacy.rounds).toBe(1);
      expect(integrityOf(shop.db)).toBe('ok');
    }

    // The coordinator never stored one shop's update in the clear: no plain update rows, and
    // no stored value holds any shop's clipped update (as f32, the plain upload's encoding).
    const stored = withDb(dbPath, (db) => {
      expect((db.prepare('SELECT COUNT(*) AS n FROM updates').get() as { n: number }).n).toBe(0);
      const tables = (
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
          name: string;
        }[]
      ).map((t) => t.name);
      let text = '';
      for (const table of tables)
        for (const r of db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[])
          for (const value of Object.values(r))
            text +=
              value instanceof Uint8Array ? Buffer.from(value).toString('base64') : String(value);
      return text;
    });
    expect(stored.length).toBeGreaterThan(1000);
    for (const shop of shops) {
      const mine = encodeFloat32(Float32Array.from(clippedDelta(shop.trainer, before, train)));
      // A 12-character run is 9 bytes: more than two of the nine weights of this model.
      for (let i = 0; i + 12 <= mine.length; i += 12)
        expect(stored.includes(mine.slice(i, i + 12))).toBe(false);
    }

    // The dashboard's privacy view counts the round with the same accountant.
    const view = await operator.call('GET', '/v1/operator/views/privacy');
    expect(view.status).toBe(200);
    const summary = (view.body as { summary: Record<string, unknown> }).summary;
    expect(summary).toMatchObject({ available: true, budget, delta, roundsCounted: 1 });
    expect(summary.epsilonTotal as number).toBeCloseTo(eps1, 2);
    expect(summary.exhausted).toBe(false);

    // A second round would exceed the budget: it is refused at the door with the reason, so no
    // shop trains or sends anything for it.
    const second = await operator.call('POST', '/v1/operator/rounds', {});
    expect(second.status, JSON.stringify(second.body)).toBe(409);
    expect(second.body.error).toBe('privacy-budget');
    expect(String(second.body.message)).toMatch(/above the total budget of/);
    for (const shop of shops) await shop.client.runOnce();
    for (const shop of shops) {
      expect(
        listLedger(shop.db, { limit: 50 }).entries.filter((e) => e.kind === 'masked'),
      ).toHaveLength(1);
      expect(shopEpsilon(shop.db)!).toBeCloseTo(eps1, 6);
    }

    // Raising the budget lets rounds run again (settings persist through the same route).
    const raised = await operator.call('PUT', '/v1/operator/settings', {
      privacy: { budget: Number((epsilonAfter(2) + 1).toFixed(3)) },
    });
    expect(raised.status).toBe(200);
    expect((raised.body.privacy as { delta: number }).delta).toBe(delta);
    expect((raised.body.round as { mode: string }).mode).toBe('secure');
  }, 90_000);
});
