/**
 * A harness option of the secure load scenario, on there only. Every simulated shop checks the
 * roster's n signatures and the unmask request's T survivor signatures, and builds the round's
 * SecAgg+ graph from the roster (a configuration model over n·k points): the same inputs for every
 * shop. Each real shop does that once on its own machine (n checks, one graph: about 2 s at 10,000
 * shops); thousands of simulated shops in one process would do it n times over (10⁸ checks and
 * 10,000 graphs at 10,000 shops). Here a shop still computes SHA-256 over the exact inputs (key,
 * signature and message; or params digest, roster hash, ids and configuration) and compares it
 * with what was done so far; only identical inputs reuse an earlier result, and the first shop to
 * meet them does the work for real. The load result names the option, counts both kinds and
 * states the real cost.
 */
import { createHash } from 'node:crypto';
import { verifyEd25519 } from '../../federated/secagg/primitives.ts';
import { RoundGraph } from '../../federated/secagg/round-protocol.ts';
import type { SignatureCheck } from '../../federated/secagg/shop-checks.ts';
import type { GraphOf } from '../../federated/secagg/shop-round.ts';

export type SharedChecks = {
  verify: SignatureCheck;
  graphOf: GraphOf;
  /** Graphs built for real (and the milliseconds they took), and builds answered by an earlier one. */
  graphs: { built: number; builtMs: number; reused: number };
  /**
   * Signatures checked for real (and the milliseconds they took), and checks answered from an
   * identical earlier one.
   */
  counts: { checked: number; checkedMs: number; reused: number };
};

export function sharedSignatureChecks(): SharedChecks {
  const known = new Map<string, boolean>();
  const counts = { checked: 0, checkedMs: 0, reused: 0 };
  const verify: SignatureCheck = (publicKey, message, signature) => {
    // Base64 never holds a NUL: the three parts cannot run into each other.
    const key = createHash('sha256')
      .update(publicKey)
      .update('\0')
      .update(signature)
      .update('\0')
      .update(message)
      .digest('base64');
    const earlier = known.get(key);
    if (earlier !== undefined) {
      counts.reused++;
      return earlier;
    }
    const started = performance.now();
    const ok = verifyEd25519(publicKey, message, signature);
    counts.checkedMs += performance.now() - started;
    known.set(key, ok);
    counts.checked++;
    return ok;
  };
  const graphsBuilt = new Map<string, RoundGraph>();
  const graphs = { built: 0, builtMs: 0, reused: 0 };
  const graphOf: GraphOf = (digest, hash, ids, config) => {
    const key = createHash('sha256')
      .update(JSON.stringify([digest, hash, ids, config]))
      .digest('base64');
    const earlier = graphsBuilt.get(key);
    if (earlier) {
      graphs.reused++;
      return earlier;
    }
    const started = performance.now();
    const graph = new RoundGraph(digest, hash, ids, config);
    graphs.builtMs += performance.now() - started;
    graphs.built++;
    graphsBuilt.set(key, graph);
    return graph;
  };
  return { verify, counts, graphOf, graphs };
}
