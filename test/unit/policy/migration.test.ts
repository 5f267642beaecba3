import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lifetimeEpsilon, shopPrivacy } from '../../../electron/privacy/budget.ts';
import { loadPrivacyPolicy, defaultPrivacyPolicy } from '../../../electron/privacy/policy.ts';
import { openDatabase } from '../../../electron/store/database.ts';
import { migrations } from '../../../electron/store/migrations/index.ts';
import { listLedger } from '../../../electron/sync/ledger.ts';
import { openMigratedDatabase } from '../../../federated/storage/sqlite.ts';
import { computeEpsilon } from '../../../federated/privacy/accountant.ts';
import { tempDir } from '../../integration/coordinator-harness.ts';

describe('upgrading a bakery database to the privacy policy schema', () => {
  it('charges every update the old ledger holds, so a past plain upload still means no formal guarantee', () => {
    const path = join(tempDir('breadcast-migrate-policy-'), 'shop.db');
    const old = openMigratedDatabase(path, migrations.slice(0, 1));
    const line = old.prepare(
      `INSERT INTO sync_ledger (round_id, kind, sent_at, bytes, clip_norm, noise_multiplier, epsilon_spent, payload_sha256, summary)
       VALUES (?, ?, ?, 100, 0.5, ?, ?, 'ab', ?)`,
    );
    const masked = JSON.stringify({
      text: 'Masked model update for round 1 (secure aggregation…)',
    });
    line.run(1, 'update', '2026-10-01T01:00:00Z', 1.2, 3.9, masked);
    line.run(2, 'metrics', '2026-10-01T02:00:00Z', null, null, '{"text":"Quality"}');
    old.prepare("INSERT INTO settings (key, value) VALUES ('secagg.budget', '{}')").run();
    old.close();

    const once = openDatabase(path);
    // One masked, noised update: epsilon of one round at z = 1.2.
    expect(lifetimeEpsilon(once)).toBeCloseTo(
      computeEpsilon({ noiseMultiplier: 1.2, rounds: 1, delta: 1e-5 }).epsilon,
      9,
    );
    expect(
      once.prepare("SELECT 1 FROM settings WHERE key = 'secagg.budget'").get(),
    ).toBeUndefined();
    expect(listLedger(once, { limit: 5 }).entries.map((e) => e.answer)).toEqual([
      'accepted',
      'accepted',
    ]);
    expect(loadPrivacyPolicy(once)).toEqual(defaultPrivacyPolicy);
    once.close();

    // The same upgrade from a ledger that also holds a plain upload.
    const path2 = join(tempDir('breadcast-migrate-policy-'), 'shop.db');
    const old2 = openMigratedDatabase(path2, migrations.slice(0, 1));
    const line2 = old2.prepare(
      `INSERT INTO sync_ledger (round_id, kind, sent_at, bytes, clip_norm, noise_multiplier, epsilon_spent, payload_sha256, summary)
       VALUES (?, 'update', ?, 100, 0.5, ?, NULL, 'ab', ?)`,
    );
    line2.run(
      1,
      '2026-10-01T01:00:00Z',
      null,
      '{"text":"Model update for round 1: sent unmasked"}',
    );
    line2.run(2, '2026-10-02T01:00:00Z', 1.2, masked);
    old2.close();
    const upgraded = openDatabase(path2);
    expect(lifetimeEpsilon(upgraded)).toBeNull();
    expect(shopPrivacy(upgraded, new Date('2026-11-30T00:00:00Z'))).toMatchObject({
      rounds: 2,
      plainUpdates: 1,
      unboundedSince: '2026-10-01T01:00:00Z',
    });
    upgraded.close();
  });
});
