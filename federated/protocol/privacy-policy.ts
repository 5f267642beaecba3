import { z } from 'zod';

/*
 * What a bakery's privacy policy says to the coordinator: only why it skipped a round. The
 * policy itself stays in the bakery's database and is never sent, so nothing the coordinator
 * answers can lower it.
 */

/**
 * The smallest Shamir threshold a bakery accepts for a group of n shops sharing secrets: more
 * than two thirds. Two disjoint groups of survivors can then never both reach t, and fewer
 * than a third of the group colluding with the coordinator cannot rebuild anyone's masks.
 */
export function minimumThreshold(n: number): number {
  return Math.floor((2 * n) / 3) + 1;
}

const count = z.number().int().min(0).max(1_000_000);
const multiplier = z.number().min(0).max(1000);

/** One reason, as a code with the numbers behind it; the app and the dashboard word it. */
export const refusalReason = z.discriminatedUnion('code', [
  /** A plain round: the coordinator would see this bakery's update itself. */
  z.object({ code: z.literal('not-masked') }),
  z.object({ code: z.literal('noise-too-low'), noiseMultiplier: multiplier, minimum: multiplier }),
  z.object({ code: z.literal('too-few-shops'), shops: count, minimum: count }),
  /** The fewest surviving uploads a sum needs, against the n shops of the signed roster. */
  z.object({
    code: z.literal('threshold-too-low'),
    threshold: count,
    shops: count,
    minimum: count,
  }),
  /** epsilon over the last 365 days with this round; null: unbounded (a round without noise). */
  z.object({
    code: z.literal('epsilon-limit'),
    epsilon: z.number().min(0).nullable(),
    limit: z.number().positive(),
  }),
]);
export type RefusalReason = z.infer<typeof refusalReason>;

/**
 * `POST /v1/rounds/:roundId/refusal`, signed like every shop request. `stage` says what the
 * bakery had seen: the round's settings (before its first message for the round) or the
 * signed roster (after advertising its round keys, before anything derived from its data).
 */
export const refusalReport = z.object({
  stage: z.enum(['settings', 'roster']),
  reasons: z.array(refusalReason).min(1).max(8),
});
export type RefusalReport = z.infer<typeof refusalReport>;

export const refusalAck = z.object({
  roundId: z.number().int(),
  recorded: z.literal(true),
  duplicate: z.boolean(),
});
