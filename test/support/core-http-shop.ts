/**
 * A shop made of the SecAgg core's own steps over real, signed HTTP, without the bakery app: the
 * coordinator-side tests use it to play honest and misbehaving shops message by message (the app's
 * client is tested on its own). Messages go through the shared contract (round-http.ts).
 */
import { randomBytes } from 'node:crypto';
import {
  generateShopKeyPair,
  headers,
  protocolVersion,
  signRequest,
  type RoundView,
  type ShopKeyPair,
} from '../../federated/protocol/index.ts';
import { encodeContribution } from '../../federated/privacy/contribution.ts';
import { seededRandom } from '../../federated/privacy/random.ts';
import { ed25519RawFromPkcs8 } from '../../federated/secagg/primitives.ts';
import {
  MASKED_CONTENT_TYPE,
  contributionPlanOf,
  secureRoutes,
  type SecureRoundView,
  type ShareInbox,
  type SignedRoster,
} from '../../federated/secagg/round-http.ts';
import type { ClientState, MaskedInputMessage } from '../../federated/secagg/round-types.ts';
import { maskedUploadBody } from '../../federated/secagg/round-wire.ts';
import {
  advertiseKeys,
  maskedInput,
  shareKeys,
  type ShopIdentity,
} from '../../federated/secagg/shop-round.ts';
import { confirmSurvivors, unmaskResponse } from '../../federated/secagg/shop-unmask.ts';

export type Answer = { status: number; json: any; etag?: string | null }; // eslint-disable-line @typescript-eslint/no-explicit-any -- whatever the server sent

export type CoreShop = {
  shopId: string;
  keys: ShopKeyPair;
  identity: ShopIdentity;
  /** Signed request as this shop: an object goes as JSON, bytes as the masked upload's type. */
  call(
    method: string,
    path: string,
    body?: unknown,
    extraHeaders?: Record<string, string>,
  ): Promise<Answer>;
  state: ClientState | null;
};

type OperatorCall = (
  method: string,
  path: string,
  body?: unknown,
) => Promise<{ status: number; body: Record<string, unknown> }>;

export async function enrolCoreShops(
  url: string,
  operator: OperatorCall,
  count: number,
  prefix = 'core',
): Promise<CoreShop[]> {
  const shops: CoreShop[] = [];
  for (let i = 0; i < count; i++) {
    const keys = generateShopKeyPair();
    const invite = await operator('POST', '/v1/operator/invites', { expiresInHours: 1 });
    const enrolled = await fetch(`${url}/v1/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [headers.protocol]: String(protocolVersion) },
      body: JSON.stringify({
        inviteCode: String(invite.body.code),
        shopName: `${prefix} ${i}`,
        appVersion: '0.1.0',
        publicKey: keys.publicKey,
      }),
    });
    if (!enrolled.ok) throw new Error(`enrol: ${enrolled.status} ${await enrolled.text()}`);
    const { shopId } = (await enrolled.json()) as { shopId: string };
    const call = async (
      method: string,
      path: string,
      body?: unknown,
      extraHeaders: Record<string, string> = {},
    ): Promise<Answer> => {
      const bytes =
        body === undefined
          ? undefined
          : body instanceof Uint8Array
            ? body
            : Buffer.from(JSON.stringify(body));
      const timestamp = Date.now();
      const nonce = randomBytes(18).toString('base64url');
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...extraHeaders,
          [headers.protocol]: String(protocolVersion),
          [headers.shop]: shopId,
          [headers.timestamp]: String(timestamp),
          [headers.nonce]: nonce,
          [headers.signature]: signRequest(keys.privateKey, {
            method,
            path,
            shopId,
            timestamp,
            nonce,
            body: bytes ?? '',
          }),
          ...(bytes === undefined
            ? {}
            : {
                'content-type':
                  body instanceof Uint8Array ? MASKED_CONTENT_TYPE : 'application/json',
              }),
        },
        body: bytes === undefined ? undefined : Buffer.from(bytes),
      });
      const text = await response.text();
      return {
        status: response.status,
        json: text ? JSON.parse(text) : null,
        etag: response.headers.get('etag'),
      };
    };
    shops.push({
      shopId,
      keys,
      identity: { shopId, secretKey: ed25519RawFromPkcs8(keys.privateKey) },
      call,
      state: null,
    });
  }
  return shops;
}

export async function viewOf(shop: CoreShop, roundId: number): Promise<SecureRoundView> {
  return read(shop, secureRoutes.view(roundId));
}

/** One of the round's documents as this shop reads it (roster, share keys, inbox, survivors …). */
export async function read<T = Answer['json']>(shop: CoreShop, path: string): Promise<T> {
  const answer = await shop.call('GET', path);
  if (answer.status !== 200)
    throw new Error(`${path}: ${answer.status} ${JSON.stringify(answer.json)}`);
  return answer.json as T;
}

export type Contribution = {
  update: Float64Array;
  sampleCount: number;
  metrics: { wape: number; pinball: number } | null;
};

/** The messages an honest shop sends, one step at a time; each returns what it POSTed. */
export const honest = {
  async advertise(shop: CoreShop, roundId: number, view: SecureRoundView) {
    const step = advertiseKeys(shop.identity, view.params!);
    shop.state = step.state;
    return { path: secureRoutes.advertise(roundId), body: step.message as unknown };
  },
  async share(shop: CoreShop, roundId: number) {
    const { roster } = await read<SignedRoster>(shop, secureRoutes.roster(roundId));
    const { shareKeys: keys } = await read(shop, secureRoutes.shareKeys(roundId));
    const step = shareKeys(shop.state!, shop.identity, roster, keys);
    shop.state = step.state;
    return { path: secureRoutes.shares(roundId), body: step.message as unknown };
  },
  async mask(
    shop: CoreShop,
    roundId: number,
    round: RoundView,
    parameterCount: number,
    contribution: Contribution,
    edit?: (message: MaskedInputMessage) => MaskedInputMessage,
  ) {
    const inbox = await read<ShareInbox>(shop, secureRoutes.inbox(roundId));
    const plan = contributionPlanOf(round.settings, parameterCount, shop.state!.config!);
    const { encoded } = encodeContribution(plan, contribution, seededRandom(randomBytes(32)));
    const step = maskedInput(shop.state!, inbox.shares, inbox.dropped, encoded);
    shop.state = step.state;
    const message = edit ? edit(step.message) : step.message;
    return { path: secureRoutes.masked(roundId), body: maskedUploadBody(message) as unknown };
  },
  async confirm(shop: CoreShop, roundId: number) {
    const request = await read(shop, secureRoutes.survivors(roundId));
    const step = confirmSurvivors(shop.state!, shop.identity, request);
    shop.state = step.state;
    return { path: secureRoutes.confirm(roundId), body: step.message as unknown };
  },
  async unmask(shop: CoreShop, roundId: number) {
    const request = await read(shop, secureRoutes.unmaskRequest(roundId));
    const step = unmaskResponse(shop.state!, request);
    shop.state = step.state;
    return { path: secureRoutes.unmask(roundId), body: step.message as unknown };
  },
};
