/**
 * What the app says about privacy, in English (the source of truth; de.ts and fr.ts have this
 * shape). Every sentence is filled from the bakery's own policy and records, never fixed: a
 * round is called masked or noised only when its records say so.
 */
export const privacyEn = {
  /** One line each, shown wherever the term appears. */
  explain: {
    epsilon:
      'ε (epsilon) measures how much the shared models could give away about this bakery: the smaller the better; above about 10 the formal promise is weak.',
    clip: 'Clip: the largest change one bakery’s update may make to the shared model, so no bakery weighs more than that.',
    noise:
      'Noise: random numbers added to the updates, as a multiple of the clip; more noise hides more and costs a little accuracy.',
    threshold:
      'Threshold: how many bakeries of a round must help before the sum can be unmasked; fewer than that, even together with the coordinator, cannot read one bakery’s update.',
  },
  terms: { epsilon: 'ε', clip: 'Clip', noise: 'Noise', threshold: 'Threshold' },

  round: {
    title: (round: number) => `Round ${round}`,
    skipped: (round: number, reasons: string) => `Round ${round} was skipped: ${reasons}.`,
    keysOnly: 'Only this round’s keys had been sent; nothing derived from this bakery’s data.',
    maskedNoised: (shops: number) =>
      `The coordinator saw only the sum of ${shops} bakeries’ updates, with noise; no single bakery’s update could be read.`,
    maskedNoisedAtLeast: (threshold: number) =>
      `This bakery’s update was masked and noised: the coordinator could see it only inside a sum of at least ${threshold} bakeries’ updates; no single bakery’s update could be read.`,
    maskedNoiseless: (shops: number) =>
      `The coordinator saw only the sum of ${shops} bakeries’ updates, without noise: no single bakery’s update could be read, but the sum carries no formal privacy guarantee.`,
    maskedNoiselessAtLeast: (threshold: number) =>
      `This bakery’s update was masked, without noise: the coordinator could see it only inside a sum of at least ${threshold} bakeries’ updates, and that sum carries no formal privacy guarantee.`,
    colluders: (colluders: number, shops: number, threshold: number) =>
      `This bakery checked the round: it stays safe even if up to ${colluders} of the ${shops} bakeries work with the coordinator, and the sum is opened only when at least ${threshold} of them take part.`,
    plain:
      'The coordinator received this bakery’s update itself (clipped, in the clear, no noise added): it could read it.',
    noUpdate: 'No model update was sent in this round, only the messages listed.',
  },
  reasons: {
    notMasked: 'it was not masked',
    noiseTooLow: (noise: string, minimum: string) =>
      `its noise (${noise}) was below this bakery’s minimum of ${minimum}`,
    tooFewShops: (shops: number, minimum: number) =>
      `it had ${shops} bakeries, this bakery requires at least ${minimum}`,
    thresholdTooLow: (threshold: number, shops: number, minimum: number) =>
      `its threshold was ${threshold} of ${shops} bakeries, this bakery requires at least ${minimum}`,
    epsilonUnbounded: (limit: string) =>
      `it would have left this bakery without any privacy bound, above its limit of ε = ${limit} a year`,
    epsilonOver: (epsilon: string, limit: string) =>
      `it would have brought this bakery’s ε over the last 12 months to ${epsilon}, above its limit of ${limit}`,
    and: '; ',
  },

  /** What the policy lets the app send, for onboarding and the consortium screen. */
  policy: {
    maskedOnly: (noise: string, shops: number) =>
      `This app takes part only in masked rounds (secure aggregation) with noise of at least ${noise}, among at least ${shops} bakeries, where more than two thirds of them are needed to unmask the sum.`,
    alsoPlain: (noise: string, shops: number) =>
      `This app also takes part in plain rounds, where the coordinator receives this bakery’s update unmasked and without noise and could read it. Masked rounds need noise of at least ${noise} and at least ${shops} bakeries, more than two thirds of them needed to unmask the sum.`,
    limit: (limit: string) => `It stops before this bakery’s ε over 12 months would pass ${limit}.`,
    noLimit: 'It sets no limit on ε.',
    salesStay:
      'Sales figures never leave this computer; every message the app sends is listed on the Consortium screen. You set these rules under Settings.',
  },
  /** What was actually sent, from every update on record. */
  history: {
    none: 'No model update has been sent yet, so no privacy budget is spent.',
    allNoised: (updates: number, epsilon: string, delta: string) =>
      `${updates} ${updates === 1 ? 'model update' : 'model updates'} sent, all masked and with noise. Privacy budget spent: ε = ${epsilon} (δ = ${delta}).`,
    unbounded: (updates: number, plain: number, noiseless: number, since: string) =>
      `${updates} ${updates === 1 ? 'model update' : 'model updates'} sent, of which ${[
        plain ? `${plain} plain (readable by the coordinator)` : '',
        noiseless ? `${noiseless} masked without noise` : '',
      ]
        .filter(Boolean)
        .join(' and ')}. No formal guarantee since ${since}.`,
    meaning: {
      strong:
        'That is a strong guarantee: the shared models give away almost nothing about this bakery.',
      moderate:
        'A moderate guarantee: the shared models could hint at this bakery’s patterns, but not give away its figures.',
      weak: 'A weak guarantee: with few bakeries and many nights ε grows large, so the noise alone protects little.',
    },
  },

  summary: {
    title: 'What this bakery sends',
    change: 'Change these rules',
  },

  settings: {
    title: 'Privacy policy',
    lead: 'What this bakery sends to the consortium. The app checks every round against these rules before it sends anything for it; the coordinator cannot change them.',
    allowPlain: 'Also take part in plain rounds',
    allowPlainHint:
      'In a plain round the coordinator receives this bakery’s update unmasked and without noise, and could read it.',
    minNoise: 'Smallest noise accepted',
    minShops: 'Fewest bakeries in a round',
    minShopsHint:
      'Counted on the list every bakery signed for the round, not on the coordinator’s word. With two, each could work out the other’s update from the sum.',
    epsilonLimit: 'Limit on ε over 12 months',
    noLimit: 'No limit',
    thresholdRule:
      'Always: more than two thirds of the bakeries in a round must be needed to unmask the sum.',
    spentYear: (epsilon: string) => `Spent over the last 12 months: ε = ${epsilon}.`,
    spentYearUnbounded:
      'Over the last 12 months an update left without noise: no formal guarantee, so any limit stops this bakery from taking part until that update is a year old.',
    isDefault: 'default',
    defaults: 'Back to the defaults',
    saved: 'Privacy policy saved; it applies from the next message the app would send.',
  },

  ledger: {
    title: 'What left this bakery',
    lead: 'Every request this app sent to the coordinator, round by round: its size and a fingerprint (hash) of exactly what was sent, written down before it left.',
    totals: (messages: number, bytes: string) =>
      `${messages} ${messages === 1 ? 'message' : 'messages'}, ${bytes}`,
    other: 'Not tied to a round',
    otherLead:
      'Enrolment, status checks and model downloads (each status check carries only the identifying headers: bakery id, app version, time).',
    showMessages: 'Show the messages',
    more: 'Older rounds',
    nothingSent: 'Nothing has left this bakery yet.',
    sentAt: 'Sent',
    kind: 'What',
    size: 'Size',
    answer: 'Answer',
    hash: 'Fingerprint',
    answers: {
      accepted: 'accepted',
      refused: 'refused',
      none: 'no answer (it may have arrived)',
      pending: 'no answer recorded',
    },
    kinds: {
      enrol: 'Enrolment',
      status: 'Status check',
      'round-status': 'Round status check',
      model: 'Model download',
      checkin: 'Check-in',
      update: 'Model update, plain',
      advertise: 'Round keys',
      shares: 'Encrypted key shares',
      masked: 'Masked model update',
      confirm: 'Survivor check',
      unmask: 'Unmasking help',
      metrics: 'Accuracy summary',
      refusal: 'Refusal report',
    },
    describe: {
      update: (numbers: number, examples: number, clip: string) =>
        `${numbers} numbers (the change of the shared model after training on ${examples} examples), clipped to ${clip}; not masked, no noise.`,
      masked: (numbers: number, clip: string, noise: string, threshold: number, shops: string) =>
        `${numbers} numbers, clipped to ${clip}, noise ×${noise}, masked; threshold ${threshold} of ${shops} bakeries.`,
      unmask: (survivors: number, dropped: number) =>
        `Shares that let the coordinator unmask the sum of ${survivors} bakeries’ updates (${dropped} dropped out); never a share that unmasks one bakery.`,
      confirm: (survivors: number) =>
        `This bakery’s signature over the list of ${survivors} bakeries whose updates are summed, so the coordinator cannot show different lists to different bakeries.`,
      shares: (shares: number) =>
        `Key shares for ${shares} bakeries, each encrypted so only that bakery can read it.`,
      advertise: 'Two public keys for this round, signed by this bakery.',
      metrics: (version: number, n: number) =>
        `How well model version ${version} did on ${n} recent days × products: two error figures, not masked.`,
      model: (version: number) => `Asked for model version ${version}.`,
      status: 'No body: only the identifying headers.',
      refusal: (reasons: string) => `Why this bakery skipped the round: ${reasons}.`,
      enrol: 'Invite code, this bakery’s name, the app version and this bakery’s public key.',
      checkin: 'That this bakery takes part in the round; nothing else.',
    },
  },
};

export type PrivacyWords = typeof privacyEn;
