import { ringAddInPlace, maskVector } from '../../federated/secagg/ring.ts';
import { createShopIdentity } from '../../federated/secagg/shop-round.ts';
import { KeyRing, sha256, withKeyRing } from '../../federated/secagg/primitives.ts';
import { utf8 } from '../../federated/secagg/bytes.ts';
import {
  forgetConfigs,
  type GraphChoice,
  type RoundConfig,
} from '../../federated/secagg/round-config.ts';
import { weightedAverage } from '../../federated/aggregation/index.ts';
import { encodeContribution } from '../../federated/privacy/contribution.ts';
import { cryptoRandom } from '../../federated/privacy/random.ts';
import { encodeFloat32, sha256Hex } from '../../federated/protocol/index.ts';
import { defaultRoundSettings } from '../../federated/protocol/rounds.ts';
import { contributionPlanOf, secureVectorLength } from '../../federated/secagg/round-http.ts';
import { runActiveRound, type Meter } from '../secagg-round.ts';

export type SecAggBenchOptions = {
  shops: number;
  parameters: number;
  /** Fraction of shops that vanish right after their masked upload. */
  dropout: number;
  /** c; null: the product default (floor(n/3), capped where neighbourhoods cannot hold it). */
  colluders?: number | null;
  graph?: GraphChoice;
};

export type SecAggBench = {
  shops: number;
  parameters: number;
  dropout: number;
  graph: 'complete' | 'secagg+';
  neighbours: number;
  threshold: number;
  colluders: number;
  minSurvivors: number;
  /** CPU seconds of the coordinator over the whole round. */
  coordinatorSeconds: number;
  /** Mean CPU seconds of one shop over all its steps (parsing what it is sent included). */
  shopSeconds: number;
  /** The same, per phase. */
  phases: { coordinator: Record<string, number>; shop: Record<string, number> };
  /**
   * Of one shop's collect step: clipping, quantisation, randomized rounding and its discrete
   * Gaussian noise share, i.e. encoding the update before masking (mean CPU seconds).
   */
  shopEncodeSeconds: number;
  /** Mean bytes one shop sends and receives (JSON bodies). */
  shopBytesSent: number;
  shopBytesReceived: number;
  /** Baseline in the same run: the plain upload of as many parameters (no masking at all). */
  plain: { shopSeconds: number; coordinatorSeconds: number; shopBytesSent: number };
};

const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/** A stand-in for the plain baseline's float vectors: deterministic per shop. */
function ringInputOf(index: number, parameters: number): Uint32Array {
  return maskVector(sha256(utf8(`bench-input-${index}`)), parameters, 32);
}

/**
 * The model update every bench shop trained (the same floats for all: training is not this
 * bench's cost). Its norm is above the default clip, so clipping does real work.
 */
function trainedUpdate(parameters: number): Float32Array {
  return Float32Array.from({ length: parameters }, (_, i) => Math.sin(i * 0.37) * 0.002);
}

/**
 * One complete round of the product's secure-aggregation code: every shop's steps and the
 * coordinator's, each message through JSON and its wire schema, the SecAgg+ graph or the complete
 * graph as the round's configuration decides, the consistency check, and `dropout` of the shops
 * vanishing after their masked upload. Fails unless the recovered sum equals the plain sum of
 * what the survivors uploaded before masking.
 * Each shop is charged its own key imports at every step (a fresh key ring per step; the
 * configuration cache is cleared before each of its steps), the reading
 * and writing of its state as the JSON text the app persists between steps, and in its upload
 * step what the app's shop does before masking: the contribution plan of the round's default
 * settings, clipping, quantisation, randomized rounding and its discrete Gaussian noise share
 * (federated/privacy/contribution.ts) over the update's parameters and the masked figures.
 */
export async function benchSecAgg(options: SecAggBenchOptions): Promise<SecAggBench> {
  const { shops: n, parameters, dropout } = options;
  const shops = Array.from({ length: n }, (_, i) =>
    createShopIdentity(`shop-${String(i).padStart(5, '0')}`),
  );
  const index = new Map(shops.map((s, i) => [s.shopId, i]));
  const vanishing = shops
    .filter((_, i) => i % Math.round(1 / dropout) === 0)
    .slice(0, Math.floor(n * dropout));
  const coordinator: Record<string, number> = {};
  const shop: Record<string, number> = {};
  const settings = defaultRoundSettings;
  const update = trainedUpdate(parameters);
  const vectorLength = secureVectorLength(parameters, settings);
  // The plain sum of what the shops uploaded before masking, to check the recovered sum against.
  const expected = new Uint32Array(vectorLength);
  const contributed = new Set<string>();
  let encodeSeconds = 0;
  const inputOf = (id: string, config: RoundConfig): Uint32Array => {
    const start = cpuSeconds();
    const plan = contributionPlanOf(settings, parameters, config);
    const { encoded } = encodeContribution(
      plan,
      {
        update,
        sampleCount: 40 + (index.get(id)! % 200),
        metrics: { wape: 0.2 + (index.get(id)! % 7) / 100, pinball: 0.05 },
      },
      cryptoRandom,
    );
    encodeSeconds += cpuSeconds() - start;
    ringAddInPlace(expected, encoded, 32);
    contributed.add(id);
    return encoded;
  };
  // Each shop step imports its keys into a ring of its own: no shop ever uses another's imports.
  // The app keeps a shop's ring for the whole round (electron/sync/secagg-client.ts); here 500
  // rings kept alive in one process cost more in garbage collection than the imports they save
  // (300 shops, A/B in parallel: 0.373 against 0.334 CPU s per shop), so each step starts afresh.
  const meter: Meter = async (party, phase, work) => {
    if (party !== null) forgetConfigs();
    const start = cpuSeconds();
    try {
      return await (party === null ? work() : withKeyRing(new KeyRing(), work));
    } finally {
      const book = party === null ? coordinator : shop;
      book[phase] = (book[phase] ?? 0) + cpuSeconds() - start;
    }
  };
  const run = await runActiveRound({
    params: {
      roundId: `bench-${n}-${parameters}`,
      vectorLength,
      modulusBits: 32,
      maxShops: n,
      colluders: options.colluders ?? null,
      graph: options.graph ?? 'auto',
    },
    shops,
    inputOf,
    drops: { afterUpload: vanishing.map((s) => s.shopId) },
    meter,
    persistStates: true,
  });
  if (run.round.phase !== 'done' || !run.sum)
    throw new Error(`the round ended ${run.round.phase}: ${run.round.failure?.message ?? ''}`);
  const survivors = run.round.survivors!;
  if (survivors.length !== contributed.size || survivors.some((id) => !contributed.has(id)))
    throw new Error('the survivors are not exactly the shops that uploaded');
  if (!run.sum.every((v, i) => v === expected[i]))
    throw new Error('recovered sum differs from the plain sum');
  const config = run.round.config!;
  const sum = (book: Record<string, number>) => Object.values(book).reduce((a, b) => a + b, 0);
  const perShop = Object.fromEntries(Object.entries(shop).map(([k, v]) => [k, v / n]));
  const traffic = [...run.traffic.values()];
  const plain = plainBaseline(Math.min(n, 50), parameters);
  return {
    shops: n,
    parameters,
    dropout,
    graph: config.graph,
    neighbours: config.neighbours,
    threshold: config.threshold,
    colluders: config.colluders,
    minSurvivors: config.minSurvivors,
    coordinatorSeconds: sum(coordinator),
    shopSeconds: sum(shop) / n,
    phases: { coordinator, shop: perShop },
    shopEncodeSeconds: encodeSeconds / n,
    shopBytesSent: traffic.reduce((a, t) => a + t.sent, 0) / n,
    shopBytesReceived: traffic.reduce((a, t) => a + t.received, 0) / n,
    plain,
  };
}

/** Plain rounds' cost for the same vectors: encode and hash on the shop, average on the coordinator. */
function plainBaseline(shops: number, parameters: number): SecAggBench['plain'] {
  const floats = Array.from({ length: shops }, (_, i) =>
    Float32Array.from(ringInputOf(i, parameters), (x) => x / 2 ** 32 - 0.5),
  );
  let start = cpuSeconds();
  let bytes = 0;
  for (const f of floats) {
    const delta = encodeFloat32(f);
    const body = JSON.stringify({
      parameterCount: f.length,
      sampleCount: 100,
      encoding: 'f32le-base64',
      delta,
      sha256: sha256Hex(Buffer.from(delta, 'base64')),
    });
    bytes += Buffer.byteLength(body);
  }
  const shopSeconds = (cpuSeconds() - start) / shops;
  start = cpuSeconds();
  weightedAverage(floats.map((delta) => ({ delta, weight: 1 })));
  return { shopSeconds, coordinatorSeconds: cpuSeconds() - start, shopBytesSent: bytes / shops };
}

/** The one line of `--shops N --json`: exactly these fields, in this order. */
export function benchLine(r: SecAggBench): string {
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return JSON.stringify({
    shops: r.shops,
    parameters: r.parameters,
    dropout: r.dropout,
    graph: r.graph,
    neighbours: r.neighbours,
    threshold: r.threshold,
    coordinatorSeconds: round(r.coordinatorSeconds),
    shopSeconds: round(r.shopSeconds),
  });
}

/** Human-readable report of one round: configuration, totals, per-phase CPU, bytes, baseline. */
export function benchReport(r: SecAggBench): string[] {
  const s3 = (x: number) => x.toFixed(3);
  const phases = ['advertise', 'share', 'collect', 'confirm', 'unmask', 'recover'];
  return [
    `${r.shops} shops, ${r.parameters} parameters, ${Math.round(r.dropout * 100)} % vanish after uploading: ${r.graph === 'complete' ? 'complete graph' : `SecAgg+ with ${r.neighbours} neighbours`}, t = ${r.threshold}, ${r.minSurvivors} survivors needed, sized for ${r.colluders} colluders`,
    `coordinator ${s3(r.coordinatorSeconds)} CPU s, one shop ${s3(r.shopSeconds)} CPU s (plain upload of the same vector: shop ${s3(r.plain.shopSeconds)} s, coordinator ${s3(r.plain.coordinatorSeconds)} s for ${r.shops} vectors' average)`,
    `| phase | ${phases.join(' | ')} |`,
    `| --- |${phases.map(() => ' ---: |').join('')}`,
    `| coordinator CPU s | ${phases.map((p) => s3(r.phases.coordinator[p] ?? 0)).join(' | ')} |`,
    `| one shop CPU s | ${phases.map((p) => s3(r.phases.shop[p] ?? 0)).join(' | ')} |`,
    `| of which encode + noise | ${phases.map((p) => (p === 'collect' ? s3(r.shopEncodeSeconds) : '')).join(' | ')} |`,
    `one shop sends ${Math.round(r.shopBytesSent)} bytes and receives ${Math.round(r.shopBytesReceived)} (plain upload: ${Math.round(r.plain.shopBytesSent)} sent)`,
  ];
}
