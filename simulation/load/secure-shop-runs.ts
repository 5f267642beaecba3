/**
 * The shops' side of the secure load scenario: a set of shops polls the round and steps through
 * it with the app's secure-round client until it ends for each of them. Runs in the bench process
 * or, to use more than one core, in child processes of it (secure-shop-process.ts), each with its
 * own share of the shops; the parent adds their reports up.
 */
import { modelResponse, currentRoundResponse } from '../../federated/protocol/index.ts';
import type { RoundView, ShopKeyPair } from '../../federated/protocol/index.ts';
import { stepSecureRound, type SecureStep } from '../../electron/sync/secagg-client.ts';
import { sleep } from '../retry.ts';
import { retrying, slots } from './load-tools.ts';
import { closeShops, openShops, type LoadShop, type Samples } from './secure-shops.ts';
import { sharedSignatureChecks, type SharedChecks } from './shared-checks.ts';

export type ShopRunConfig = {
  url: string;
  dir: string;
  roundId: number;
  /** Shops in the whole round: shop i starts polling i/n of a poll interval after the start. */
  n: number;
  pollMs: number;
  /** Epoch ms after which a shop stops polling. */
  giveUpAt: number;
  /** Shops stepping at once in this process. */
  concurrency: number;
  sharedChecks: boolean;
  shops: { index: number; shopId: string; keys: ShopKeyPair }[];
};

export type ShopRunReport = {
  samples: Record<string, number[]>;
  slotWaits: number[];
  errors: number;
  retries: number;
  outcomes: Record<string, number>;
  checks: { checked: number; checkedMs: number; reused: number } | null;
  graphs: { built: number; builtMs: number; reused: number } | null;
  parses: { parsed: number; parsedMs: number; reused: number } | null;
  /** CPU seconds of this process from the first poll to the last shop's end. */
  cpuSeconds: number;
  parameters: number;
};

export async function runShops(
  config: ShopRunConfig,
  onShopDone: () => void = () => {},
): Promise<ShopRunReport> {
  const samples: Samples = new Map();
  const checks = config.sharedChecks ? sharedSignatureChecks() : null;
  const shops = openShops(
    config.dir,
    config.url,
    config.shops,
    samples,
    new Date(),
    checks?.parseAnswer,
  );
  try {
    const cpuBefore = process.cpuUsage();
    let errors = 0;
    let retries = 0;
    const outcomes: Record<string, number> = {};
    const gate = slots(config.concurrency);
    const slotWaits: number[] = [];
    const gated = async (shop: LoadShop) => {
      const asked = performance.now();
      await gate.acquire();
      slotWaits.push(performance.now() - asked);
      try {
        return await pollOnce(shop, config.roundId, checks);
      } finally {
        gate.release();
      }
    };
    await Promise.all(
      shops.map(async (shop, i) => {
        await sleep((config.shops[i]!.index * config.pollMs) / config.n);
        let last = 'gave up';
        try {
          for (;;) {
            const step = await retrying(
              () => gated(shop),
              () => retries++,
            ).catch((error: unknown) => {
              errors++;
              throw error;
            });
            if (step === null || ['finished', 'refused', 'not-taking-part'].includes(step.action)) {
              last = step?.action ?? 'finished';
              break;
            }
            if (Date.now() > config.giveUpAt) break;
            await sleep(config.pollMs);
          }
        } catch (error) {
          last = `error: ${(error as Error).message.slice(0, 120)}`;
        }
        outcomes[last] = (outcomes[last] ?? 0) + 1;
        onShopDone();
      }),
    );
    const cpu = process.cpuUsage(cpuBefore);
    return {
      samples: Object.fromEntries(samples),
      slotWaits,
      errors,
      retries,
      outcomes,
      checks: checks ? { ...checks.counts } : null,
      graphs: checks ? { ...checks.graphs } : null,
      parses: checks ? { ...checks.parses } : null,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      parameters: await parametersOf(shops[0]!),
    };
  } finally {
    closeShops(shops);
  }
}

/** One sync of a shop during the round: the current round, then its secure step (null: over). */
async function pollOnce(
  shop: LoadShop,
  roundId: number,
  shared: SharedChecks | null,
): Promise<SecureStep | null> {
  const current = await shop.http.send('GET', '/v1/rounds/current', null, currentRoundResponse, {
    kind: 'status',
    roundId: null,
  });
  const round = current.body!.round;
  if (!round || round.id !== roundId || round.phase === 'published' || round.phase === 'failed')
    return null;
  return stepSecureRound(
    {
      db: shop.db,
      http: shop.http,
      identity: { shopId: shop.shopId, privateKey: shop.privateKey },
      now: () => new Date(),
      ...(shared ? { verify: shared.verify, graphOf: shared.graphOf } : {}),
      computeUpdate: async (view: RoundView) => {
        // The app trains from the round's model: it downloads it first (training is not timed).
        const model = await shop.http.send(
          'GET',
          `/v1/models/${view.modelVersion}`,
          null,
          modelResponse,
          { kind: 'model', roundId: view.id },
        );
        const length = model.body!.parameterCount;
        const seed = shop.shopId.charCodeAt(0);
        return {
          delta: Float32Array.from({ length }, (_, j) => 1e-3 * Math.sin(seed + j)),
          sampleCount: 30,
          metrics: null,
        };
      },
    },
    round,
  );
}

async function parametersOf(shop: LoadShop): Promise<number> {
  const model = await shop.http.send('GET', '/v1/models/current', null, modelResponse, {
    kind: 'model',
    roundId: null,
  });
  return model.body!.parameterCount;
}
