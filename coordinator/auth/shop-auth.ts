import type { KeyObject } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  canonicalRequest,
  headers,
  minimumProtocolVersion,
  protocolVersion,
  publicKeyObject,
} from '../../federated/protocol/index.ts';
import { CoordinatorError } from '../errors.ts';
import { burstSpacingMs, perTurn } from '../rounds/per-turn.ts';
import type { CoordinatorStore } from '../store/sql.ts';
import { verifyHere, type SignatureVerifier } from './signature-verifier.ts';
import {
  dropExpiredNonces,
  nonceKey,
  shopsWithKeys,
  touchShops,
  useNonces,
  type ShopRow,
} from '../store/shops.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The shop a signed request came from, set by `requireShop`. */
    shop?: ShopRow;
    /** The body exactly as received: signatures cover its bytes, not a re-serialisation. */
    rawBody?: string | Buffer;
  }
}

/** Refuses apps that speak an older protocol with 426 and words the bakery can act on. */
export function checkProtocol(request: FastifyRequest): void {
  const raw = request.headers[headers.protocol];
  const version = typeof raw === 'string' ? Number(raw) : NaN;
  if (!Number.isInteger(version) || version < minimumProtocolVersion) {
    throw new CoordinatorError(
      426,
      'upgrade-required',
      `This Breadcast app is too old for the coordinator (protocol ${Number.isNaN(version) ? 'unknown' : version}, needs ${minimumProtocolVersion} or newer). Please update the app.`,
      { protocolVersion, minimumProtocolVersion },
    );
  }
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function describeOffset(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  const amount = minutes >= 120 ? `${Math.round(minutes / 60)} hours` : `${minutes} minutes`;
  return `${amount} ${ms > 0 ? 'ahead of' : 'behind'}`;
}

type Visit = { shopId: string; at: string; appVersion: string | null };

/**
 * preHandler for every shop route: Ed25519 signature of this shop over method, path,
 * timestamp, nonce and body hash; stale timestamps and replayed nonces are refused.
 */
export function shopAuthenticator(options: {
  store: CoordinatorStore;
  now: () => Date;
  windowMs: number;
  /** Checks signatures off the event loop; without it they are checked on it. */
  verifier?: SignatureVerifier;
}) {
  const { store, verifier } = options;
  // Expired nonces are swept at most once a second rather than on every request: a request old
  // enough to need them gone is refused by its timestamp anyway.
  let sweptAt = 0;
  // The nonce (the replay check) and the shop's last visit of every request verified in one
  // turn of the event loop are written together: one transaction and one INSERT for a burst,
  // instead of two commits per request.
  const claimNonce = perTurn(
    async (claims: { shopId: string; nonce: string; expiresAtMs: number; visit: Visit }[]) => {
      const nowMs = options.now().getTime();
      const sweep = nowMs - sweptAt >= 1000;
      if (sweep) sweptAt = nowMs;
      return store.transaction(async (tx) => {
        if (sweep) await dropExpiredNonces(tx, nowMs);
        const inserted = await useNonces(tx, claims);
        // The same nonce twice in one batch: the first claim has it, the second is a replay.
        const fresh = claims.map((claim) => inserted.delete(nonceKey(claim.shopId, claim.nonce)));
        // Only requests that are not replays count as a visit.
        const visits = new Map(claims.filter((_, i) => fresh[i]).map((c) => [c.shopId, c.visit]));
        await touchShops(tx, [...visits.values()]);
        return fresh;
      });
    },
    { spacingMs: burstSpacingMs },
  );
  // The shops of the signed requests of one turn are read in one statement.
  const lookUpShop = perTurn(
    async (ids: string[]) => {
      const found = await shopsWithKeys(store, ids);
      return ids.map((id) => found.get(id));
    },
    { spacingMs: burstSpacingMs },
  );
  // Parsing a DER public key costs more than verifying a signature with it; a key's text never
  // changes meaning, so each is parsed once. Revocation still takes effect at once: the shop's
  // current key is read from the store on every request.
  const keys = new Map<string, KeyObject | null>();
  const keyOf = (publicKey: string): KeyObject | null => {
    let key = keys.get(publicKey);
    if (key === undefined) {
      if (keys.size >= 100_000) keys.clear();
      key = publicKeyObject(publicKey);
      keys.set(publicKey, key);
    }
    return key;
  };
  return async function requireShop(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const shopId = header(request, headers.shop);
    const timestampText = header(request, headers.timestamp);
    const nonce = header(request, headers.nonce);
    const signature = header(request, headers.signature);
    if (!shopId || !timestampText || !nonce || !signature)
      throw new CoordinatorError(
        401,
        'unauthenticated',
        'This request is not signed by an enrolled shop.',
      );
    const now = options.now().getTime();
    const timestamp = Number(timestampText);
    if (!Number.isSafeInteger(timestamp) || nonce.length < 16 || nonce.length > 64)
      throw new CoordinatorError(
        401,
        'bad-signature',
        'The request signature headers are malformed.',
      );
    const offset = timestamp - now;
    if (Math.abs(offset) > options.windowMs) {
      throw new CoordinatorError(
        401,
        'clock-skew',
        `This computer's clock is ${describeOffset(offset)} the coordinator's. Set the correct date and time (or let the app correct for it) and try again.`,
        { serverTime: new Date(now).toISOString() },
      );
    }
    const found = await lookUpShop(shopId);
    if (found?.revoked_at)
      throw new CoordinatorError(
        403,
        'revoked',
        'The coordinator operator has revoked this shop’s access.',
      );
    if (!found?.public_key)
      throw new CoordinatorError(
        401,
        'unknown-shop',
        'This shop is not enrolled with this coordinator.',
      );
    const { public_key: publicKey, ...shop } = found;
    const key = keyOf(publicKey);
    const check = key && {
      key,
      message: canonicalRequest({
        method: request.method,
        path: request.url,
        shopId,
        timestamp,
        nonce,
        body: request.rawBody ?? '',
      }),
      signature,
    };
    const verified =
      check !== null && (verifier ? await verifier.verify(check) : verifyHere(check));
    if (!verified)
      throw new CoordinatorError(
        401,
        'bad-signature',
        'The request signature does not match this shop’s key.',
      );
    const fresh = await claimNonce({
      shopId,
      nonce,
      expiresAtMs: now + 2 * options.windowMs,
      visit: {
        shopId,
        at: new Date(now).toISOString(),
        appVersion: header(request, 'x-breadcast-app-version') ?? null,
      },
    });
    if (!fresh)
      throw new CoordinatorError(
        401,
        'replayed',
        'This request was already received once (replayed nonce).',
      );
    request.shop = shop;
  };
}
