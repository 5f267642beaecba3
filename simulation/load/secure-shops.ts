/**
 * The bakeries of the secure load scenario: each with its own identity, SQLite file, privacy
 * policy, sync state and ledger, talking to the coordinator through the app's CoordinatorHttp.
 * Setting them up and taking them down is not part of any measured step.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { savePrivacyPolicy } from '../../electron/privacy/policy.ts';
import { openDatabase, type Db } from '../../electron/store/database.ts';
import { CoordinatorHttp, type AnswerParser } from '../../electron/sync/http.ts';
import { ledgerRequestLog, type RequestLog } from '../../electron/sync/ledger.ts';
import { saveSyncState } from '../../electron/sync/state.ts';
import type { ShopKeyPair } from '../../federated/protocol/index.ts';
import { everyRoundPolicy } from '../consortium.ts';

export type LoadShop = { shopId: string; db: Db; http: CoordinatorHttp; privateKey: string };

/** Request latencies by kind (the ledger's kinds; a round document by its name). */
export type Samples = Map<string, number[]>;

/** The app's ledger for a shop, and the time each request took (its answer, or no answer). */
function timedLog(db: Db, samples: Samples): RequestLog {
  const ledger = ledgerRequestLog(db, () => new Date());
  const open = new Map<number, { kind: string; started: number }>();
  return {
    sending(request) {
      const id = ledger.sending(request);
      // The round's documents are ledgered as status reads; timed apart from the view polls.
      const document = request.meta.details?.document;
      const kind = typeof document === 'string' ? `document ${document}` : request.meta.kind;
      open.set(id, { kind, started: performance.now() });
      return id;
    },
    answered(id, status) {
      ledger.answered(id, status);
      const sent = open.get(id);
      open.delete(id);
      if (!sent) return;
      const list = samples.get(sent.kind) ?? [];
      list.push(performance.now() - sent.started);
      samples.set(sent.kind, list);
    },
  };
}

/**
 * Opens every shop's database: a copy of one freshly migrated file (the same schema the app
 * creates; migrating thousands of files one by one only lengthened the setup), then the shop's
 * own policy and sync state.
 */
export function openShops(
  dir: string,
  coordinatorUrl: string,
  enrolled: readonly { index: number; shopId: string; keys: ShopKeyPair }[],
  samples: Samples,
  now: Date,
  parseAnswer?: AnswerParser,
): LoadShop[] {
  // One template per process: several processes may set up their shops at once.
  const template = join(dir, `template-${process.pid}.sqlite`);
  openDatabase(template).close();
  return enrolled.map(({ index: i, shopId, keys }) => {
    const path = join(dir, `shop-${i}.sqlite`);
    copyFileSync(template, path);
    const db = openDatabase(path);
    // Thousands of shop files stay open in one process: SQLite's default page cache (up to 2 MB
    // each) would hold gigabytes the shops never read again; a bakery's app has one file open.
    db.pragma('cache_size = -64');
    // A shop's whole night of writes fits under SQLite's automatic checkpoint (4 MB of WAL), so
    // each file's WAL would keep all of it: 10,000 × ~4 MB filled the disk's free 42 GB. Here
    // the WAL is folded into the file every 1 MB and cut back to 1 MB.
    db.pragma('wal_autocheckpoint = 256');
    db.pragma('journal_size_limit = 1048576');
    savePrivacyPolicy(db, everyRoundPolicy, now);
    saveSyncState(db, {
      coordinatorUrl,
      shopId,
      shopName: `Secure bakery ${i}`,
      publicKey: keys.publicKey,
      privateKey: keys.privateKey,
      clockOffsetMs: 0,
      lastSyncAt: null,
      lastError: null,
      modelVersion: null,
      currentRound: null,
      nextRoundAt: null,
    });
    const http = new CoordinatorHttp(
      {
        baseUrl: coordinatorUrl,
        appVersion: '0.1.0',
        now: () => new Date(),
        clockOffsetMs: 0,
        log: timedLog(db, samples),
        ...(parseAnswer ? { parseAnswer } : {}),
      },
      { shopId, privateKey: keys.privateKey },
    );
    return { shopId, db, http, privateKey: keys.privateKey };
  });
}

/** Closes the shops' files without syncing them to disk: they are deleted next. */
export function closeShops(shops: readonly LoadShop[]): void {
  for (const shop of shops) {
    shop.db.pragma('synchronous = OFF');
    shop.db.close();
  }
}
