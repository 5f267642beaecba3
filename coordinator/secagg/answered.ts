/**
 * Whether every shop a phase waits for has answered it. Checked after every stored message, so
 * it must not grow with the round while the phase fills: two indexed counts first, and the
 * senders compared with the expected set only once the counts could cover everyone (a count
 * can overstate: a shop dropped after it sent, a refusal of a shop that also sent).
 */
import type { SecureMessageKind } from '../../federated/secagg/round-http.ts';
import { refusalCount, refusedShops } from '../store/privacy.ts';
import { messageCount, messageSenders } from '../store/secagg.ts';
import type { Sql } from '../store/sql.ts';

export async function answeredAll(
  sql: Sql,
  roundId: number,
  kind: SecureMessageKind,
  expected: ReadonlySet<string>,
  /** Count a shop that reported skipping the round under its own privacy policy as answered. */
  withRefusals: boolean,
): Promise<boolean> {
  const refusals = withRefusals ? await refusalCount(sql, roundId) : 0;
  if ((await messageCount(sql, roundId, kind)) + refusals < expected.size) return false;
  const done = new Set(await messageSenders(sql, roundId, kind));
  if (refusals > 0) for (const id of await refusedShops(sql, roundId)) done.add(id);
  for (const id of expected) if (!done.has(id)) return false;
  return true;
}
