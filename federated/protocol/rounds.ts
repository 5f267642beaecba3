import { z } from 'zod';

/**
 * Round phases. Plain mode runs open → collect → aggregating; secure aggregation adds
 * advertise, share, confirm (every survivor signs the survivor set) and unmask. Every phase but
 * the last three has a deadline.
 */
export const roundPhases = [
  'open',
  'advertise',
  'share',
  'collect',
  'confirm',
  'unmask',
  'aggregating',
  'published',
  'failed',
] as const;
export const roundPhase = z.enum(roundPhases);
export type RoundPhase = z.infer<typeof roundPhase>;

export const serverOptimizer = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fedavg'), learningRate: z.number().positive().max(10).default(1) }),
  z.object({
    kind: z.literal('fedavgm'),
    learningRate: z.number().positive().max(10).default(1),
    momentum: z.number().min(0).max(0.999).default(0.9),
  }),
  z.object({
    kind: z.literal('fedadam'),
    learningRate: z.number().positive().max(10).default(0.01),
    beta1: z.number().min(0).max(0.999).default(0.9),
    beta2: z.number().min(0).max(0.9999).default(0.99),
    /** Adaptivity tau (Reddi et al. 2021): keeps the step bounded when the second moment is tiny. */
    tau: z.number().positive().max(1).default(1e-3),
  }),
]);
export type ServerOptimizer = z.infer<typeof serverOptimizer>;

export const phaseDeadlines = z.object({
  openSeconds: z.number().int().min(0).max(86_400).default(0),
  advertiseSeconds: z.number().int().min(1).max(86_400).default(600),
  shareSeconds: z.number().int().min(1).max(86_400).default(600),
  collectSeconds: z
    .number()
    .int()
    .min(1)
    .max(86_400)
    .default(3 * 3600),
  confirmSeconds: z.number().int().min(1).max(86_400).default(600),
  unmaskSeconds: z.number().int().min(1).max(86_400).default(600),
});
export type PhaseDeadlines = z.infer<typeof phaseDeadlines>;

/*
 * A new coordinator runs secure, noised rounds. The noise multiplier and clip norm are the
 * largest noise measured to cost about one WAPE point on the 20-bakery young-bakery simulation
 * (docs/benchmarks.md: z = 1.1 at C = 0.125, epsilon 4.24 per round, 232 per year of nightly
 * rounds). Plain rounds, which show each update to the coordinator, are an explicit choice.
 */
export const roundSettings = z.object({
  mode: z.enum(['plain', 'secure']).default('secure'),
  /*
   * Six passes per round at the production learning rate and batch of a small bakery: with one
   * vote per bakery and the nightly forecast model of `consortiumModel`, the setting that meets
   * both quality targets, for young and for long-history bakeries (docs/benchmarks.md, "One
   * default for young and long-history bakeries").
   */
  localEpochs: z.number().int().min(1).max(100).default(6),
  learningRate: z.number().positive().max(1).default(0.003),
  batchSize: z.number().int().min(1).max(4096).default(128),
  /** L2 bound every update is clipped to before it leaves the shop. */
  clipNorm: z.number().positive().max(1e6).default(0.125),
  minShops: z.number().int().min(1).max(10_000).default(2),
  /**
   * 'equal' gives each shop one vote; 'samples' weights each update by its sample count (capped).
   * Equal by default: under noise a weight below 1 shrinks a shop's signal but not the noise,
   * and measured on young bakeries sample weights let z = 1.1 ruin the merged model (27.3 % WAPE
   * against 24.3 % with equal weights; docs/benchmarks.md).
   */
  weighting: z.enum(['samples', 'equal']).default('equal'),
  maxSampleWeight: z.number().int().min(1).default(10_000),
  serverOptimizer: serverOptimizer.default({ kind: 'fedavg', learningRate: 1 }),
  deadlines: phaseDeadlines.default({
    openSeconds: 0,
    advertiseSeconds: 600,
    shareSeconds: 600,
    collectSeconds: 3 * 3600,
    confirmSeconds: 600,
    unmaskSeconds: 600,
  }),
  /** Gaussian noise multiplier z of the sum (0: no noise, no formal guarantee). */
  noiseMultiplier: z.number().min(0).max(100).default(1.1),
  /** Shamir threshold t; null: more than two thirds of the shops, the rule every shop checks. */
  secaggThreshold: z.number().int().min(1).nullable().default(null),
  /**
   * Secure rounds: c, the shops that may collude with the coordinator; the noise and the
   * thresholds are sized so the honest survivors alone protect a bakery. null: a third of the
   * signed roster.
   */
  colluders: z.number().int().min(0).max(10_000).nullable().default(null),
  /** Secure rounds: 'auto' uses SecAgg+ neighbourhoods where they beat the complete graph. */
  secaggGraph: z.enum(['auto', 'complete', 'secagg+']).default('auto'),
  /**
   * Adaptive clipping (Andrew et al. 2021), secure rounds only: each shop adds its noised clip
   * bit to the masked sum and, when the round publishes, the coordinator moves the stored clip
   * norm toward the target quantile of update norms. Plain rounds ignore it. null = off.
   */
  adaptiveClip: z
    .object({
      targetQuantile: z.number().min(0).max(1).default(0.5),
      learningRate: z.number().positive().max(10).default(0.2),
    })
    .nullable()
    .default(null),
});
export type RoundSettings = z.infer<typeof roundSettings>;
export const defaultRoundSettings: RoundSettings = roundSettings.parse({});

export const roundView = z.object({
  id: z.number().int(),
  phase: roundPhase,
  /** The global model version shops must train from. */
  modelVersion: z.number().int(),
  settings: roundSettings,
  openedAt: z.string(),
  phaseDeadline: z.string().nullable(),
  /** Set once published: the version this round produced. */
  resultVersion: z.number().int().nullable(),
  failureReason: z.string().nullable(),
});
export type RoundView = z.infer<typeof roundView>;
