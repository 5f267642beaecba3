import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoordinatorStore } from '../../coordinator/store/sql.ts';
import { dashboardViews, writeHistory } from '../support/coordinator-history.ts';
import { postgresTarget, sqliteTarget, type StoreTarget } from '../support/store-targets.ts';
import type { SuiteContext } from './store-suite/context.ts';
import { roundsCases } from './store-suite/rounds.ts';
import { schemaCases } from './store-suite/schema.ts';
import { valuesCases } from './store-suite/values.ts';

/**
 * One suite, both stores: every property the coordinator relies on is checked on the embedded
 * SQLite store and on a real PostgreSQL server started for this file. The cases live beside it
 * (store-suite/), one module per concern; this file runs them all on each store.
 */
const targets = [sqliteTarget(), postgresTarget()];

for (const target of targets) {
  describe.skipIf(target.skip)(`the ${target.kind} store`, () => {
    const open: CoordinatorStore[] = [];
    const fresh = async () => {
      const made = await target.fresh();
      open.push(made.store);
      return made;
    };
    const connect = async (database: string) => {
      const store = await target.connect(database);
      open.push(store);
      return store;
    };
    beforeAll(() => target.start(), 120_000);
    afterAll(async () => {
      for (const store of open) await store.close().catch(() => undefined);
      await target.stop();
    });

    const suite: SuiteContext = { target, fresh, connect };
    schemaCases(suite);
    valuesCases(suite);
    roundsCases(suite);
  });
}

describe.skipIf(targets.some((t) => t.skip))('the dashboard on both stores', () => {
  const [sqlite, postgres] = targets as [StoreTarget, StoreTarget];
  beforeAll(async () => {
    await sqlite.start();
    await postgres.start();
  }, 120_000);
  afterAll(async () => {
    await sqlite.stop();
    await postgres.stop();
  });

  it('shows the same overview, shops, rounds, round details, models and privacy figures', async () => {
    const texts: string[] = [];
    for (const target of [sqlite, postgres]) {
      const { store } = await target.fresh();
      try {
        texts.push(await dashboardViews(store, await writeHistory(store)));
      } finally {
        await store.close();
      }
    }
    expect(texts[0]).toContain('"enrolled": 3');
    expect(texts[0]).toContain('<Bäckerei Zoë>');
    expect(texts[1]).toEqual(texts[0]);
  });
});
