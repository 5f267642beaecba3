/**
 * The secure-aggregation benchmark's shop process: it takes one shop's step at a time, as a shop's
 * own app does, and holds nothing between steps — the shop's state arrives as the JSON text the
 * app persists and leaves the same way, what the coordinator sends arrives as the bodies on the
 * wire. Each step is charged this process's CPU time around it (parsing its state and its inputs,
 * the step, writing its state and its message), and only this process's garbage is collected on
 * its clock: no coordinator state and no other shop's lives here.
 */
import { forgetConfigs, type RoundConfig } from '../../federated/secagg/round-config.ts';
import { KeyRing, withKeyRing } from '../../federated/secagg/primitives.ts';
import type { SecAggParams } from '../../federated/secagg/round-types.ts';
import type { ShopIdentity } from '../../federated/secagg/shop-round.ts';
import { encodeContribution } from '../../federated/privacy/contribution.ts';
import { cryptoRandom } from '../../federated/privacy/random.ts';
import { defaultRoundSettings } from '../../federated/protocol/rounds.ts';
import { contributionPlanOf } from '../../federated/secagg/round-http.ts';
import { localShops, type Meter, type Phase, type ShopReply } from '../secagg-shop-side.ts';

export type ShopProcessInit = {
  params: SecAggParams;
  parameters: number;
  identities: ShopIdentity[];
};

export type StepRequest = {
  phase: Phase;
  id: string;
  /** The shop's persisted state and its verified roster (a row of its own), as JSON text. */
  state: string | null;
  roster: string | null;
  bodies: string[];
};

export type StepResult = {
  reply: ShopReply<string | Uint8Array>;
  /** The shop's state after the step, as the app persists it (null if it had none). */
  state: string | null;
  roster: string | null;
  /** This process's CPU seconds around the step. */
  seconds: number;
  /** Of the upload step: the encoded update before masking, and the seconds its encoding took. */
  input?: Uint32Array;
  encodeSeconds?: number;
};

const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/**
 * The model update every bench shop trained (the same floats for all: training is not this
 * bench's cost). Its norm is above the default clip, so clipping does real work.
 */
export function trainedUpdate(parameters: number): Float32Array {
  return Float32Array.from({ length: parameters }, (_, i) => Math.sin(i * 0.37) * 0.002);
}

/**
 * What the app's shop does before masking: the contribution plan of the round's default settings,
 * clipping, quantisation, randomized rounding and its discrete Gaussian noise share.
 */
export function benchInput(update: Float32Array, index: number, config: RoundConfig): Uint32Array {
  const plan = contributionPlanOf(defaultRoundSettings, update.length, config);
  return encodeContribution(
    plan,
    {
      update,
      sampleCount: 40 + (index % 200),
      metrics: { wape: 0.2 + (index % 7) / 100, pinball: 0.05 },
    },
    cryptoRandom,
  ).encoded;
}

function serve(init: ShopProcessInit) {
  const update = trainedUpdate(init.parameters);
  const index = new Map(init.identities.map((s, i) => [s.shopId, i]));
  const texts = new Map<string, string>();
  const rosters = new Map<string, string>();
  let ring = new KeyRing();
  const last: { input?: { words: Uint32Array; seconds: number } } = {};
  // Every piece of a step runs with the step's own key ring (a fresh one per step: nothing of
  // another shop's, or of this shop's earlier steps, is reused).
  const meter: Meter = async (_phase, work) => withKeyRing(ring, work);
  const side = localShops({
    params: init.params,
    identities: new Map(init.identities.map((s) => [s.shopId, s])),
    inputOf: (id, config) => {
      const start = cpuSeconds();
      const words = benchInput(update, index.get(id)!, config);
      last.input = { words, seconds: cpuSeconds() - start };
      return words;
    },
    meter,
    store: { kind: 'text', texts, rosters },
  });
  const steps = {
    advertise: (id: string) => side.advertise(id),
    share: (id: string, [roster, keys]: string[]) => side.share(id, roster!, keys!),
    collect: (id: string, [records, excluded]: string[]) => side.collect(id, records!, excluded!),
    confirm: (id: string, [request]: string[]) => side.confirm(id, request!),
    unmask: (id: string, [request]: string[]) => side.unmask(id, request!),
  };
  return async ({ phase, id, state, roster, bodies }: StepRequest): Promise<StepResult> => {
    texts.clear();
    rosters.clear();
    delete last.input;
    const start = cpuSeconds();
    ring = new KeyRing();
    forgetConfigs();
    if (state !== null) texts.set(id, state);
    if (roster !== null) rosters.set(id, roster);
    const reply = await steps[phase](id, bodies);
    const seconds = cpuSeconds() - start;
    const done: StepResult = {
      reply,
      state: texts.get(id) ?? null,
      roster: rosters.get(id) ?? null,
      seconds,
    };
    // Set by the upload step's inputOf, which the compiler cannot see run.
    const taken = last.input as { words: Uint32Array; seconds: number } | undefined;
    if (taken) Object.assign(done, { input: taken.words, encodeSeconds: taken.seconds });
    return done;
  };
}

/** The argument the benchmark forks this module with; importing it elsewhere starts nothing. */
export const SHOP_PROCESS_FLAG = '--secagg-shop-process';

if (process.send && process.argv.includes(SHOP_PROCESS_FLAG)) {
  let step: ((request: StepRequest) => Promise<StepResult>) | null = null;
  process.on('message', (message: { init?: ShopProcessInit; request?: StepRequest }) => {
    if (message.init) {
      step = serve(message.init);
      process.send!({ ready: true });
      return;
    }
    step!(message.request!).then(
      (result) => process.send!({ result }),
      (error: unknown) => process.send!({ error: String((error as Error)?.stack ?? error) }),
    );
  });
}
