import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ringAddInPlace, maskVector } from '../../federated/secagg/ring.ts';
import { createShopIdentity } from '../../federated/secagg/shop-round.ts';
import { sha256 } from '../../federated/secagg/primitives.ts';
import { utf8 } from '../../federated/secagg/bytes.ts';
import type { GraphChoice } from '../../federated/secagg/round-config.ts';
import type { SecAggParams } from '../../federated/secagg/round-types.ts';
import { weightedAverage } from '../../federated/aggregation/index.ts';
import { encodeFloat32, sha256Hex } from '../../federated/protocol/index.ts';
import { defaultRoundSettings } from '../../federated/protocol/rounds.ts';
import { secureVectorLength } from '../../federated/secagg/round-http.ts';
import { runActiveRound, type Meter, type ShopSide } from '../secagg-round.ts';
import type { Phase } from '../secagg-shop-side.ts';
import {
  SHOP_PROCESS_FLAG,
  type ShopProcessInit,
  type StepRequest,
  type StepResult,
} from './secagg-shop-process.ts';

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

/** The shops' steps in a process of their own, one step at a time, charged to `book` by phase. */
async function shopProcess(init: ShopProcessInit) {
  const entry = fileURLToPath(new URL('./secagg-shop-process.ts', import.meta.url));
  // BREADCAST_BENCH_CPU_PROF=DIR: the shop process writes a V8 CPU profile there when it stops.
  const profile = process.env.BREADCAST_BENCH_CPU_PROF;
  const child = fork(entry, [SHOP_PROCESS_FLAG], {
    execArgv: ['--import', 'tsx', ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [])],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  type Answer = { ready?: true; result?: StepResult; error?: string };
  let waiting: { resolve: (a: Answer) => void; reject: (e: Error) => void } | null = null;
  child.on('message', (answer: Answer) => waiting?.resolve(answer));
  child.once('exit', (code) => waiting?.reject(new Error(`the shop process exited (${code})`)));
  const ask = (message: object) =>
    new Promise<Answer>((resolve, reject) => {
      waiting = { resolve, reject };
      child.send(message);
    });
  await ask({ init });
  return {
    async step(request: StepRequest): Promise<StepResult> {
      const answer = await ask({ request });
      if (!answer.result) throw new Error(`a shop step failed: ${answer.error}`);
      return answer.result;
    },
    /** Ends the process the way that lets it write its profile. */
    stop: () => child.disconnect(),
  };
}

/**
 * One complete round of the product's secure-aggregation code: every shop's steps and the
 * coordinator's, each message as the JSON body it is on the wire, the SecAgg+ graph or the
 * complete graph as the round's configuration decides, the consistency check, and `dropout` of
 * the shops vanishing after their masked upload. Fails unless the recovered sum equals the plain
 * sum of what the survivors uploaded before masking.
 * The shops' steps run in a process of their own (secagg-shop-process.ts), as each real shop's
 * run in its app: a shop's state between steps exists only as the JSON text the app persists,
 * kept here as its database would and handed to that process with the step's bodies. Each step is
 * charged that process's CPU time around it — its key imports (a fresh key ring per step), reading
 * and writing its state, parsing what it was sent, in its upload step the encoding before masking
 * (clipping, quantisation, randomized rounding, its discrete Gaussian noise share), and the
 * garbage it made. The coordinator is charged its own work in this process, none of the shops'.
 */
export async function benchSecAgg(options: SecAggBenchOptions): Promise<SecAggBench> {
  const { shops: n, parameters, dropout } = options;
  const shops = Array.from({ length: n }, (_, i) =>
    createShopIdentity(`shop-${String(i).padStart(5, '0')}`),
  );
  const vanishing = shops
    .filter((_, i) => i % Math.round(1 / dropout) === 0)
    .slice(0, Math.floor(n * dropout));
  const coordinator: Record<string, number> = {};
  const shop: Record<string, number> = {};
  const vectorLength = secureVectorLength(parameters, defaultRoundSettings);
  const params: SecAggParams = {
    roundId: `bench-${n}-${parameters}`,
    vectorLength,
    modulusBits: 32,
    maxShops: n,
    colluders: options.colluders ?? null,
    graph: options.graph ?? 'auto',
  };
  // The plain sum of what the shops uploaded before masking, to check the recovered sum against.
  const expected = new Uint32Array(vectorLength);
  const contributed = new Set<string>();
  let encodeSeconds = 0;
  const states = new Map<string, string>();
  const rosters = new Map<string, string>();
  const process_ = await shopProcess({
    params,
    parameters,
    identities: shops.map(({ shopId, secretKey }) => ({ shopId, secretKey })),
  });
  const stepOf =
    <B>(phase: Phase) =>
    async (id: string, ...bodies: string[]) => {
      const done = await process_.step({
        phase,
        id,
        state: states.get(id) ?? null,
        roster: rosters.get(id) ?? null,
        bodies,
      });
      shop[phase] = (shop[phase] ?? 0) + done.seconds;
      if (done.state !== null) states.set(id, done.state);
      if (done.roster !== null) rosters.set(id, done.roster);
      if (done.input) {
        ringAddInPlace(expected, done.input, 32);
        contributed.add(id);
        encodeSeconds += done.encodeSeconds!;
      }
      return done.reply as { body: B } | { refused: string };
    };
  const shopSide: ShopSide = {
    advertise: stepOf<string>('advertise'),
    share: stepOf<string>('share'),
    collect: stepOf<Uint8Array>('collect'),
    confirm: stepOf<string>('confirm'),
    unmask: stepOf<string>('unmask'),
  };
  const meter: Meter = async (phase, work) => {
    const start = cpuSeconds();
    try {
      return await work();
    } finally {
      coordinator[phase] = (coordinator[phase] ?? 0) + cpuSeconds() - start;
    }
  };
  let run;
  try {
    run = await runActiveRound({
      params,
      shops,
      shopSide,
      drops: { afterUpload: vanishing.map((s) => s.shopId) },
      meter,
    });
  } finally {
    process_.stop();
  }
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
