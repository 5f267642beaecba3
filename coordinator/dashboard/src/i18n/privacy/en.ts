/**
 * Everything the dashboard says about privacy, in English. The other languages implement the
 * same shape; sentences are functions of the recorded facts so no language can drop a number.
 */
export const privacyEn = {
  /** One line per term, shown wherever the term appears. */
  explain: {
    epsilon:
      'ε (epsilon) measures how much the published models could reveal about any one bakery: smaller is better; around 1 is strong, above 10 the formal promise is weak.',
    delta:
      'δ is the small chance that the ε promise does not hold; keep it well below 1 ÷ the number of bakeries.',
    clip: 'Clip norm C: the largest change one bakery’s update may make to the shared model; longer updates are scaled down, so no bakery weighs more.',
    noise:
      'Noise multiplier z: random noise of z × C is added to the sum of the updates; more noise hides more and costs some accuracy, 0 means no noise and no formal guarantee.',
    threshold:
      'Threshold t: how many bakeries must stay until the end before the sum can be unmasked; fewer, even together with the coordinator, cannot read one bakery’s update.',
    colluders:
      'Colluders c: how many bakeries the round assumes might secretly side with the coordinator; masks and noise are sized to hold even then.',
    budget:
      'Total budget: the ε the consortium may spend over all rounds; a round without noise cannot open while one is set, and once the next round would go past it, rounds stop until the operator raises it.',
    mode: 'Aggregation: secure rounds show the coordinator only the masked sum of the updates; plain rounds show it each bakery’s update.',
  },
  terms: {
    epsilon: 'Privacy spent (ε)',
    delta: 'δ',
    clip: 'Clip norm C',
    noise: 'Noise multiplier z',
    threshold: 'Threshold t',
    colluders: 'Colluders c',
    budget: 'Total budget (ε)',
    mode: 'Aggregation',
  },
  modes: { plain: 'plain (each update readable)', secure: 'secure (masked sum only)' },

  /** What the coordinator could see of one round, from the settings and records of that round. */
  round: {
    plainRunning:
      'Plain round: each bakery that uploads sends its clipped update unmasked and without noise, and the coordinator reads it.',
    plainNothing: 'Plain round: no update reached the coordinator.',
    plainRead: (summed: number | null) =>
      `Plain round: the coordinator read each of ${bakeriesOf(summed)} clipped updates itself, unmasked and without noise.`,
    withNoise: (z: string) => `with noise (noise multiplier ${z})`,
    withoutNoise: 'without noise, so the sum itself carries no formal privacy guarantee',
    secureRunning: (noise: string) =>
      `Secure round: each bakery's update is masked, ${noise}; the coordinator has seen no sum yet.`,
    secureNothing:
      'Secure round: it ended before any sum was unmasked, so the coordinator saw no update and no sum.',
    atLeast: (threshold: number) => ` (at least ${threshold} needed to unmask it)`,
    secureSum: (summed: number | null, threshold: string, noise: string) =>
      `The coordinator saw only the sum of ${bakeriesOf(summed)} updates${threshold}, ${noise}; no single bakery's update could be read.`,
    epsilon: (epsilon: string) => `ε = ${epsilon}`,
    unbounded: 'no noise added: no ε bound',
    nothingReleased: 'nothing released',
    splitAll: 'among all the others',
    splitNeighbours: (k: number) => `among its ${k} neighbours (drawn from the roster)`,
    configuration: (n: number, c: number, survivors: number, split: string, t: number) =>
      `Built for the ${n} bakeries of its signed roster and a coordinator colluding with up to ${c} of them: at least ${survivors} had to upload and sign the list of survivors, and each bakery split its secrets ${split}, ${t} shares needed to rebuild one.`,
    colludersNone: 'not recorded',
  },

  /** The consortium's budget in words: a large ε must not read as "private". */
  budget: {
    title: 'Privacy budget',
    noGuarantee: (rounds: number) =>
      `No formal guarantee: ${rounds} ${rounds === 1 ? 'round' : 'rounds'} released an aggregate without noise (a plain round, where the coordinator reads each update, or a noise multiplier of 0), so epsilon is unbounded. The published models may reveal hints about one shop's sales. For a bound, use secure rounds with a noise multiplier above 0 in Settings.`,
    nothingYet: 'No privacy budget spent yet: no round has released an aggregate.',
    noLimit: ' No total budget is set, so rounds never stop for privacy.',
    usedUp: (budget: number) => ` The total budget of ε = ${budget} is used up.`,
    share: (percent: number, budget: number) =>
      ` ${percent} % of the total budget of ε = ${budget} is spent.`,
    strong: (e: string, rounds: number) =>
      `Strong: ε = ${e} after ${rounds} rounds. The models reveal almost nothing about any one shop.`,
    moderate: (e: string, rounds: number) =>
      `Moderate: ε = ${e} after ${rounds} rounds. A curious observer of the models learns little about one shop, but not nothing.`,
    weak: (e: string, rounds: number) =>
      `Weak: ε = ${e} after ${rounds} rounds. With few shops and nightly rounds the guarantee has worn thin; the models may reflect patterns of individual shops.`,
    veryWeak: (e: string, rounds: number) =>
      `Very weak: ε = ${e} after ${rounds} rounds. At this level the formal guarantee means little — secure aggregation still hides each upload from the coordinator, but the published models could reveal hints about one shop's sales. Raise the noise, round less often, or set a budget.`,
    spent: (epsilon: string, delta: string) => `Spent ε = ${epsilon} at δ = ${delta}`,
    lastRound: (epsilon: string) => `; the last round alone: ε = ${epsilon}`,
    total: (budget: number) => `; total budget ε = ${budget}`,
    chartSpent: 'ε spent in total',
    chartBudget: 'Budget',
    accountant:
      'Counted with the Rényi accountant of the distributed discrete Gaussian the bakeries add, over every round that released an aggregate.',
  },

  refusal: {
    notMasked: 'it was not masked (plain round)',
    noiseTooLow: (noise: number, minimum: number) =>
      `noise ${noise} is below its minimum of ${minimum}`,
    tooFewShops: (shops: number, minimum: number) =>
      `${shops} bakeries in the round, it wants at least ${minimum}`,
    thresholdTooLow: (threshold: number, shops: number, minimum: number) =>
      `threshold ${threshold} of ${shops} bakeries, it needs at least ${minimum}`,
    epsilonUnbounded: (limit: number) =>
      `the round has no noise, so its privacy loss is unbounded (its limit: ε ${limit} a year)`,
    epsilonOver: (epsilon: string, limit: number) =>
      `it would bring its ε over the last year to ${epsilon}, above its limit of ${limit}`,
  },

  noFiguresSent:
    'No figures yet. Shops send no accuracy figures of their own (one shop’s error would show the coordinator how it sells): the consortium’s figures for a model arrive only as a noised total inside the masked sum of the next secure round.',
  plainWarning:
    "Plain rounds show each shop's clipped update to the coordinator, unmasked and without noise: no privacy guarantee. Bakeries with the default policy skip them, and none opens while a privacy budget is set.",
};

function bakeriesOf(n: number | null): string {
  return n === null ? 'the surviving bakeries’' : n === 1 ? '1 bakery’s' : `${n} bakeries’`;
}

export type PrivacyWords = typeof privacyEn;
