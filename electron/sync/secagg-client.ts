import type { Logger } from 'pino';
import { sha256Hex, type RoundView } from '../../federated/protocol/index.ts';
import {
  budgetEpsilon,
  emptyBudget,
  spendRound,
  type PrivacyBudget,
} from '../../federated/privacy/accountant.ts';
import { prepareContribution } from '../../federated/privacy/contribution.ts';
import { cryptoRandom, type RandomSource } from '../../federated/privacy/gaussian.ts';
import {
  advertiseKeys,
  ed25519RawFromPkcs8,
  maskedInput,
  shareKeys,
  unmaskResponse,
  type ClientState,
} from '../../federated/secagg/index.ts';
import {
  SECAGG_MODULUS_BITS,
  roundPrivacySettings,
  secureVectorLength,
  secaggThresholdFor,
  secureAck,
  secureRoundView,
  type SecureRoundView,
} from '../../federated/secagg/wire.ts';
import type { Db } from '../store/database.ts';
import { SyncError } from './errors.ts';
import type { CoordinatorHttp } from './http.ts';
import { recordLedger } from './ledger.ts';

/** δ the shop's own budget is reported at (the ledger's "privacy budget spent"). */
export const LEDGER_DELTA = 1e-5;

export type SecureRoundOptions = {
  db: Db;
  http: CoordinatorHttp;
  /** The shop's enrolled identity: id and Ed25519 private key (base64 PKCS#8, from the sync state). */
  identity: { shopId: string; privateKey: string };
  now: () => Date;
  /** Trains from the round's global model and returns local − global (unclipped). */
  computeUpdate: (round: RoundView) => Promise<{ delta: Float32Array; sampleCount: number }>;
  random?: RandomSource;
  log?: Logger;
};

export type SecureStep = {
  roundId: number;
  phase: string;
  action:
    'advertised' | 'shared' | 'uploaded' | 'unmasked' | 'waiting' | 'not-taking-part' | 'finished';
  message: string;
};

type Outgoing = { path: string; body: string; kind: 'advertise' | 'shares' | 'masked' | 'unmask' };

/** Everything this shop must remember about one secure round, persisted before anything is sent. */
type PersistedRound = {
  client: ClientState;
  outgoing: Outgoing | null;
  /** For the ledger line of the masked upload. */
  upload?: {
    clipNorm: number;
    noiseMultiplier: number;
    norm: number;
    noiseStd: number;
    sampleCount: number;
  };
  sentBytes: number;
};

const roundKey = (roundId: number) => `secagg.round.${roundId}`;
const budgetKey = 'secagg.budget';

function load<T>(db: Db, key: string): T | null {
  const row = db
    .prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?')
    .get(key);
  return row ? (JSON.parse(row.value) as T) : null;
}

function save(db: Db, key: string, value: unknown): void {
  db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  ).run(key, JSON.stringify(value));
}

/** This shop's privacy budget over every noised secure round it took part in. */
export function loadShopBudget(db: Db): PrivacyBudget {
  return load<PrivacyBudget>(db, budgetKey) ?? emptyBudget();
}

export function shopEpsilon(db: Db): number {
  return budgetEpsilon(loadShopBudget(db), LEDGER_DELTA);
}

/**
 * One step of the shop's side of a secure round: reads what the coordinator needs in the
 * current phase, does this shop's part once, persists its SecAgg state in the shop database,
 * then sends. Call it on every sync while the round runs (shops poll). Safe to retry at any
 * point: an unacknowledged message is resent byte-identical after a crash or a lost answer.
 */
export async function stepSecureRound(
  options: SecureRoundOptions,
  round: RoundView,
): Promise<SecureStep> {
  const { db, http, identity } = options;
  const step = (action: SecureStep['action'], phase: string, message: string): SecureStep => ({
    roundId: round.id,
    phase,
    action,
    message,
  });
  let persisted = load<PersistedRound>(db, roundKey(round.id));
  if (persisted?.outgoing) persisted = await deliver(options, round.id, persisted);

  const view: SecureRoundView = (
    await http.send('GET', `/v1/rounds/${round.id}/secagg`, null, secureRoundView)
  ).body!;
  if (view.phase === 'published' || view.phase === 'failed') {
    db.prepare('DELETE FROM settings WHERE key = ?').run(roundKey(round.id));
    return step('finished', view.phase, `Round ${round.id} is ${view.phase}.`);
  }
  const params = view.params;
  if (!params)
    return step('waiting', view.phase, 'The round has not started secure aggregation yet.');
  if (
    params.threshold !== secaggThresholdFor(round.settings) ||
    params.modulusBits !== SECAGG_MODULUS_BITS
  )
    throw new SyncError(
      'bad-round',
      `The coordinator's secure-aggregation parameters for round ${round.id} do not match the round's settings; this bakery does not take part.`,
      false,
    );
  const client = persisted?.client;

  let next: { client: ClientState; outgoing: Outgoing; upload?: PersistedRound['upload'] } | null =
    null;
  if (view.phase === 'advertise' && !client) {
    const { state, message } = advertiseKeys(
      { shopId: identity.shopId, secretKey: ed25519RawFromPkcs8(identity.privateKey) },
      params,
    );
    next = { client: state, outgoing: outgoing(round.id, 'advertise', message) };
  } else if (view.phase === 'share' && client?.phase === 'advertised' && view.roster) {
    const { state, message } = await shareKeys(client, view.roster);
    next = { client: state, outgoing: outgoing(round.id, 'shares', message) };
  } else if (view.phase === 'collect' && client?.phase === 'shared' && view.sharesForMe) {
    const update = await options.computeUpdate(round);
    if (secureVectorLength(update.delta.length, round.settings) !== params.vectorLength)
      throw new SyncError(
        'bad-round',
        'The local update does not match the round’s model size.',
        false,
      );
    const settings = roundPrivacySettings(round.settings, params);
    const contribution = prepareContribution(
      update.delta,
      settings,
      options.random ?? cryptoRandom,
    );
    const { state, message } = maskedInput(client, view.sharesForMe, contribution.encoded);
    next = {
      client: state,
      outgoing: outgoing(round.id, 'masked', message),
      upload: {
        clipNorm: settings.clipNorm,
        noiseMultiplier: settings.noiseMultiplier,
        norm: contribution.norm,
        noiseStd: contribution.noiseStd,
        sampleCount: update.sampleCount,
      },
    };
  } else if (
    view.phase === 'unmask' &&
    client?.phase === 'masked' &&
    view.unmaskRequest?.survivors.includes(identity.shopId)
  ) {
    const { state, message } = unmaskResponse(client, view.unmaskRequest);
    next = { client: state, outgoing: outgoing(round.id, 'unmask', message) };
  }

  if (!next) {
    const taking = client !== undefined;
    return step(
      taking ? 'waiting' : 'not-taking-part',
      view.phase,
      taking
        ? `Waiting for the other bakeries in round ${round.id} (${view.phase}).`
        : `Round ${round.id} started without this bakery; it will take part in the next one.`,
    );
  }
  const stored: PersistedRound = {
    client: next.client,
    outgoing: next.outgoing,
    sentBytes: persisted?.sentBytes ?? 0,
    ...(next.upload
      ? { upload: next.upload }
      : persisted?.upload
        ? { upload: persisted.upload }
        : {}),
  };
  // Persist first: a crash from here on resends exactly this message, never a second, different one.
  save(db, roundKey(round.id), stored);
  const kind = next.outgoing.kind;
  await deliver(options, round.id, stored);
  const actions = {
    advertise: 'advertised',
    shares: 'shared',
    masked: 'uploaded',
    unmask: 'unmasked',
  } as const;
  return step(actions[kind], view.phase, `Round ${round.id}: sent this bakery's ${kind} message.`);
}

function outgoing(roundId: number, kind: Outgoing['kind'], message: unknown): Outgoing {
  return { path: `/v1/rounds/${roundId}/secagg/${kind}`, body: JSON.stringify(message), kind };
}

/** Sends the persisted message; on acknowledgement clears it and writes the ledger for the upload. */
async function deliver(
  options: SecureRoundOptions,
  roundId: number,
  persisted: PersistedRound,
): Promise<PersistedRound> {
  const { db, http } = options;
  const out = persisted.outgoing!;
  let bytes = 0;
  try {
    bytes = (await http.send('POST', out.path, out.body, secureAck)).bytesSent;
  } catch (error) {
    // The phase moved on without this message: it can never count, so stop resending it.
    if (
      error instanceof SyncError &&
      !error.retryable &&
      (error.status === 409 || error.status === 403)
    ) {
      options.log?.warn(
        { round: roundId, kind: out.kind, err: error },
        'secure-aggregation message refused',
      );
      const dropped = { ...persisted, outgoing: null };
      save(db, roundKey(roundId), dropped);
      return dropped;
    }
    throw error;
  }
  const sentBytes = persisted.sentBytes + bytes;
  const done: PersistedRound = { ...persisted, outgoing: null, sentBytes };
  db.transaction(() => {
    save(db, roundKey(roundId), done);
    if (out.kind !== 'masked' || !persisted.upload) return;
    const u = persisted.upload;
    let epsilon: number | null = null;
    if (u.noiseMultiplier > 0) {
      const budget = spendRound(loadShopBudget(db), { noiseMultiplier: u.noiseMultiplier });
      save(db, budgetKey, budget);
      epsilon = budgetEpsilon(budget, LEDGER_DELTA);
    }
    recordLedger(db, {
      roundId,
      kind: 'update',
      sentAt: options.now().toISOString(),
      bytes,
      clipNorm: u.clipNorm,
      noiseMultiplier: u.noiseMultiplier || null,
      epsilonSpent: epsilon,
      payloadSha256: sha256Hex(out.body),
      summary:
        `Masked model update for round ${roundId} (secure aggregation: the coordinator sees only the sum of all bakeries' updates). ` +
        `Trained on ${u.sampleCount} examples; norm ${Math.min(u.norm, u.clipNorm).toFixed(4)} after clipping to ${u.clipNorm} (before ${u.norm.toFixed(4)}); ` +
        (u.noiseMultiplier > 0
          ? `Gaussian noise share with standard deviation ${u.noiseStd.toPrecision(3)} added. Privacy budget spent by this bakery so far: epsilon ${epsilon!.toFixed(2)} at delta ${LEDGER_DELTA}.`
          : 'no noise added (differential privacy off for this round).') +
        ` Round keys and encrypted key shares sent earlier in the round: ${sentBytes - bytes} bytes.`,
    });
  })();
  return done;
}

/**
 * Drops the SecAgg state of every round but the running one: a shop that was off when a round
 * ended never saw it finish. Call it whenever the current round is known (null: none running).
 */
export function forgetFinishedSecureRounds(db: Db, runningRoundId: number | null): number {
  const keep = runningRoundId === null ? '' : roundKey(runningRoundId);
  return db.prepare("DELETE FROM settings WHERE key LIKE 'secagg.round.%' AND key <> ?").run(keep)
    .changes;
}
