import type { Logger } from 'pino';
import type { RoundView } from '../../federated/protocol/index.ts';
import { prepareContribution } from '../../federated/privacy/contribution.ts';
import { cryptoRandom, type RandomSource } from '../../federated/privacy/gaussian.ts';
import {
  advertiseKeys,
  ed25519RawFromPkcs8,
  maskedInput,
  shareKeys,
  unmaskResponse,
  verifyRoster,
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
import { roundKey } from '../privacy/budget.ts';
import { admitByRoster, admitBySettings } from '../privacy/refusals.ts';
import type { Db } from '../store/database.ts';
import { SyncError } from './errors.ts';
import type { CoordinatorHttp } from './http.ts';
import type { RequestMeta } from './ledger.ts';

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
    | 'advertised'
    | 'shared'
    | 'uploaded'
    | 'unmasked'
    | 'waiting'
    | 'not-taking-part'
    | 'refused'
    | 'finished';
  message: string;
};

type Outgoing = {
  path: string;
  body: string;
  kind: 'advertise' | 'shares' | 'masked' | 'unmask';
  /** Its ledger line (and, for the masked upload, the round's charge), the same on every resend. */
  meta?: RequestMeta;
};

/** Everything this shop must remember about one secure round, persisted before anything is sent. */
type PersistedRound = {
  client: ClientState;
  outgoing: Outgoing | null;
};

const stateKey = (roundId: number) => `secagg.round.${roundId}`;

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
  let persisted = load<PersistedRound>(db, stateKey(round.id));
  // The bakery's policy, until its update has left: after that, withholding the unmask answer
  // would only fail the round for the others.
  const updateSent = persisted?.client.phase === 'masked' || persisted?.client.phase === 'unmasked';
  const refused = () =>
    step(
      'refused',
      round.phase,
      `Round ${round.id} was skipped under this bakery's privacy policy; nothing derived from its data was sent.`,
    );
  if (!updateSent && admitBySettings(db, options.now(), http.baseUrl, round)) return refused();
  if (persisted?.outgoing) persisted = await deliver(options, round, persisted);

  const view: SecureRoundView = (
    await http.send('GET', `/v1/rounds/${round.id}/secagg`, null, secureRoundView, {
      kind: 'round-status',
      roundId: round.id,
    })
  ).body!;
  if (view.phase === 'published' || view.phase === 'failed') {
    db.prepare('DELETE FROM settings WHERE key = ?').run(stateKey(round.id));
    return step('finished', view.phase, `Round ${round.id} is ${view.phase}.`);
  }
  const params = view.params;
  if (!params)
    return step('waiting', view.phase, 'The round has not started secure aggregation yet.');
  // The coordinator may ask for more than the settings' threshold (two thirds of its shops),
  // never less; the policy then checks t against the signed roster itself.
  if (
    params.threshold < secaggThresholdFor(round.settings) ||
    params.modulusBits !== SECAGG_MODULUS_BITS
  )
    throw new SyncError(
      'bad-round',
      `The coordinator's secure-aggregation parameters for round ${round.id} do not match the round's settings; this bakery does not take part.`,
      false,
    );
  const client = persisted?.client;

  // n from the roster this shop verified; t the fewest uploads any published sum needs.
  const rosterRefused = (state: ClientState, rosterSize: number) =>
    admitByRoster(db, options.now(), http.baseUrl, round, {
      rosterSize,
      threshold: state.params.threshold,
    });

  let next: { client: ClientState; outgoing: Outgoing } | null = null;
  if (view.phase === 'advertise' && !client) {
    const { state, message } = advertiseKeys(
      { shopId: identity.shopId, secretKey: ed25519RawFromPkcs8(identity.privateKey) },
      params,
    );
    next = { client: state, outgoing: outgoing(round.id, 'advertise', message) };
  } else if (view.phase === 'share' && client?.phase === 'advertised' && view.roster) {
    if (rosterRefused(client, verifyRoster(client, view.roster).length)) return refused();
    const { state, message } = await shareKeys(client, view.roster);
    next = {
      client: state,
      outgoing: outgoing(round.id, 'shares', message, {
        shares: message.shares.length,
        rosterSize: view.roster.length,
        threshold: params.threshold,
      }),
    };
  } else if (view.phase === 'collect' && client?.phase === 'shared' && view.sharesForMe) {
    if (rosterRefused(client, client.roster?.length ?? 0)) return refused();
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
    const masked = outgoing(round.id, 'masked', message, {
      mode: 'secure',
      parameters: update.delta.length,
      sampleCount: update.sampleCount,
      normBeforeClip: contribution.norm,
      clipNorm: settings.clipNorm,
      noiseMultiplier: settings.noiseMultiplier,
      noiseStd: contribution.noiseStd,
      threshold: params.threshold,
      rosterSize: client.roster?.length ?? null,
    });
    masked.meta.charge = {
      roundKey: roundKey(http.baseUrl, round),
      roundId: round.id,
      mode: 'secure',
      noiseMultiplier: settings.noiseMultiplier,
      clipNorm: settings.clipNorm,
    };
    next = { client: state, outgoing: masked };
  } else if (
    view.phase === 'unmask' &&
    client?.phase === 'masked' &&
    view.unmaskRequest?.survivors.includes(identity.shopId)
  ) {
    const { state, message } = unmaskResponse(client, view.unmaskRequest);
    next = {
      client: state,
      outgoing: outgoing(round.id, 'unmask', message, {
        survivors: view.unmaskRequest.survivors.length,
        dropped: view.unmaskRequest.dropped.length,
      }),
    };
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
  const stored: PersistedRound = { client: next.client, outgoing: next.outgoing };
  // Persist first: a crash from here on resends exactly this message, never a second, different one.
  save(db, stateKey(round.id), stored);
  const kind = next.outgoing.kind;
  await deliver(options, round, stored);
  const actions = {
    advertise: 'advertised',
    shares: 'shared',
    masked: 'uploaded',
    unmask: 'unmasked',
  } as const;
  return step(actions[kind], view.phase, `Round ${round.id}: sent this bakery's ${kind} message.`);
}

function outgoing(
  roundId: number,
  kind: Outgoing['kind'],
  message: unknown,
  details: RequestMeta['details'] = {},
): Outgoing & { meta: RequestMeta } {
  return {
    path: `/v1/rounds/${roundId}/secagg/${kind}`,
    body: JSON.stringify(message),
    kind,
    meta: { kind, roundId, details },
  };
}

/**
 * Sends the persisted message and clears it once acknowledged. Its ledger line, and for the
 * masked upload the round's privacy charge, are written before each attempt leaves, so an
 * upload whose answer is lost still counts, once.
 */
async function deliver(
  options: SecureRoundOptions,
  round: RoundView,
  persisted: PersistedRound,
): Promise<PersistedRound> {
  const { db, http } = options;
  const roundId = round.id;
  const out = persisted.outgoing!;
  try {
    await http.send(
      'POST',
      out.path,
      out.body,
      secureAck,
      out.meta ?? legacyMeta(http, round, persisted),
    );
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
      save(db, stateKey(roundId), dropped);
      return dropped;
    }
    throw error;
  }
  const done: PersistedRound = { ...persisted, outgoing: null };
  save(db, stateKey(roundId), done);
  return done;
}

/**
 * A message persisted by a version that ledgered on acknowledgement has no `meta`; its masked
 * upload is charged from what that version kept, so an upgrade mid-round sends nothing uncounted.
 */
function legacyMeta(
  http: CoordinatorHttp,
  round: RoundView,
  persisted: PersistedRound,
): RequestMeta {
  const out = persisted.outgoing!;
  const meta: RequestMeta = { kind: out.kind, roundId: round.id };
  if (out.kind === 'masked') {
    const kept = (persisted as { upload?: { noiseMultiplier?: number; clipNorm?: number } }).upload;
    meta.charge = {
      roundKey: roundKey(http.baseUrl, round),
      roundId: round.id,
      mode: 'secure',
      noiseMultiplier: kept?.noiseMultiplier ?? 0,
      clipNorm: kept?.clipNorm ?? null,
    };
  }
  return meta;
}

/**
 * Drops the SecAgg state of every round but the running one: a shop that was off when a round
 * ended never saw it finish. Call it whenever the current round is known (null: none running).
 */
export function forgetFinishedSecureRounds(db: Db, runningRoundId: number | null): number {
  const keep = runningRoundId === null ? '' : stateKey(runningRoundId);
  return db.prepare("DELETE FROM settings WHERE key LIKE 'secagg.round.%' AND key <> ?").run(keep)
    .changes;
}
