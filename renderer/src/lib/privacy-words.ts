import type {
  LedgerRound,
  PrivacyPolicy,
  RoundStory,
  ShopPrivacy,
} from '../../../electron/api/contract/privacy.ts';
import type { LedgerEntry } from '../../../electron/api/contract/sync.ts';
import type { RefusalReason } from '../../../federated/protocol/privacy-policy.ts';
import type { PrivacyWords } from '../i18n/privacy/en.ts';

/*
 * Every sentence the app says about privacy, built from the bakery's policy and its own records
 * only. Pure (words and number formats are handed in), so each is tested in every language
 * against the stories that must not be called masked or noised.
 */

export type Formats = {
  /** Up to `digits` decimals, in the shop's locale. */
  number(value: number, digits: number): string;
  date(iso: string): string;
};

export type Strength = 'strong' | 'moderate' | 'weak';

export function strengthOf(epsilon: number): Strength {
  return epsilon <= 1 ? 'strong' : epsilon <= 10 ? 'moderate' : 'weak';
}

export function reasonText(w: PrivacyWords, reason: RefusalReason, f: Formats): string {
  const r = w.reasons;
  switch (reason.code) {
    case 'not-masked':
      return r.notMasked;
    case 'noise-too-low':
      return r.noiseTooLow(f.number(reason.noiseMultiplier, 3), f.number(reason.minimum, 3));
    case 'too-few-shops':
      return r.tooFewShops(reason.shops, reason.minimum);
    case 'threshold-too-low':
      return r.thresholdTooLow(reason.threshold, reason.shops, reason.minimum);
    case 'epsilon-limit':
      return reason.epsilon === null
        ? r.epsilonUnbounded(f.number(reason.limit, 2))
        : r.epsilonOver(f.number(reason.epsilon, 2), f.number(reason.limit, 2));
  }
}

/** What the coordinator could see of this bakery in one round: one or two sentences. */
export function roundSentences(
  w: PrivacyWords,
  roundId: number,
  story: RoundStory,
  f: Formats,
): string[] {
  switch (story.outcome) {
    case 'skipped': {
      const said = w.round.skipped(
        roundId,
        story.reasons.map((reason) => reasonText(w, reason, f)).join(w.reasons.and),
      );
      return story.stage === 'roster' ? [said, w.round.keysOnly] : [said];
    }
    case 'plain':
      return [w.round.plain];
    case 'masked': {
      const noised = story.noiseMultiplier > 0;
      // Rounds recorded before c was kept say nothing about colluders rather than guess.
      const { colluders, rosterSize, threshold } = story;
      const checked =
        colluders !== null && rosterSize !== null && threshold !== null
          ? [w.round.colluders(colluders, rosterSize, threshold)]
          : [];
      if (story.summed !== null)
        return [
          noised ? w.round.maskedNoised(story.summed) : w.round.maskedNoiseless(story.summed),
          ...checked,
        ];
      const atLeast = threshold ?? 2;
      return [
        noised ? w.round.maskedNoisedAtLeast(atLeast) : w.round.maskedNoiselessAtLeast(atLeast),
        ...checked,
      ];
    }
    case 'no-update':
      return [w.round.noUpdate];
  }
}

/** What the bakery's policy lets the app send. */
export function policySentences(w: PrivacyWords, policy: PrivacyPolicy, f: Formats): string[] {
  const noise = f.number(policy.minNoiseMultiplier, 3);
  return [
    policy.allowPlainRounds
      ? w.policy.alsoPlain(noise, policy.minShops)
      : w.policy.maskedOnly(noise, policy.minShops),
    policy.epsilonLimit === null
      ? w.policy.noLimit
      : w.policy.limit(f.number(policy.epsilonLimit, 2)),
  ];
}

/** What was sent, from every update on record: its guarantee, or that there is none. */
export function historySentences(w: PrivacyWords, privacy: ShopPrivacy, f: Formats): string[] {
  if (privacy.rounds === 0) return [w.history.none];
  if (privacy.epsilon === null)
    return [
      w.history.unbounded(
        privacy.rounds,
        privacy.plainUpdates,
        privacy.noiselessUpdates,
        privacy.unboundedSince ? f.date(privacy.unboundedSince) : '–',
      ),
    ];
  return [
    w.history.allNoised(privacy.rounds, f.number(privacy.epsilon, 2), String(privacy.delta)),
    w.history.meaning[strengthOf(privacy.epsilon)],
  ];
}

const num = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

/** One ledger line's content, from its codes and numbers (old lines keep their own words). */
export function describeEntry(w: PrivacyWords, entry: LedgerEntry, f: Formats): string {
  const d = entry.details;
  const say = w.ledger.describe;
  const n = (key: string) => num(d[key]) ?? 0;
  const dec = (key: string) => {
    const value = num(d[key]);
    return value === null ? '–' : f.number(value, 3);
  };
  if (Object.keys(d).length === 0 && entry.summary) return entry.summary;
  switch (entry.kind) {
    case 'update':
      return say.update(n('parameters'), n('sampleCount'), dec('clipNorm'));
    case 'masked':
      return say.masked(
        n('parameters'),
        dec('clipNorm'),
        dec('noiseMultiplier'),
        n('threshold'),
        num(d.rosterSize) === null ? '–' : String(n('rosterSize')),
      );
    case 'unmask':
      return say.unmask(n('survivors'), n('dropped'));
    case 'confirm':
      return say.confirm(n('survivors'));
    case 'shares':
      return say.shares(n('shares'));
    case 'advertise':
      return say.advertise;
    case 'metrics':
      return say.metrics(n('modelVersion'), n('n'));
    case 'model':
      return say.model(n('version'));
    case 'status':
    case 'round-status':
      return say.status;
    case 'refusal':
      return say.refusal(String(d.reasons ?? ''));
    case 'enrol':
      return say.enrol;
    case 'checkin':
      return say.checkin;
    default:
      return entry.summary;
  }
}

export function kindName(w: PrivacyWords, kind: string): string {
  return (w.ledger.kinds as Record<string, string>)[kind] ?? kind;
}

/** The round groups' kinds, most frequent first, as "3 × Status check". */
export function kindCounts(w: PrivacyWords, round: Pick<LedgerRound, 'kinds'>): string {
  return Object.entries(round.kinds)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, count]) => `${count} × ${kindName(w, kind)}`)
    .join(', ');
}
