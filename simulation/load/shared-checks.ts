/**
 * A harness option of the secure load scenario, on there only. Every simulated shop checks the
 * roster's n signatures and the unmask request's T survivor signatures, and builds the round's
 * SecAgg+ graph from the roster (a configuration model over n·k points): the same inputs for every
 * shop. Each real shop does that once on its own machine (n checks, one graph: about 2 s at 10,000
 * shops); thousands of simulated shops in one process would do it n times over (10⁸ checks and
 * 10,000 graphs at 10,000 shops). Here a shop still computes SHA-256 over the exact inputs (key,
 * signature and message; or params digest, roster hash, ids and configuration) and compares it
 * with what was done so far; only identical inputs reuse an earlier result, and the first shop to
 * meet them does the work for real. The same holds for the round's documents every shop is sent
 * byte for byte (the signed roster: 4 MB at 10,000 shops; the survivor set; the unmask request
 * with its T confirmations): each shop hashes the exact text it received, and only the first
 * parses and schema-checks it; the result is frozen, so no shop can alter what another reads. The
 * load result names the option, counts both kinds and states the real cost.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { safeJson, type AnswerParser } from '../../electron/sync/http.ts';
import { signedRoster } from '../../federated/secagg/round-http.ts';
import { confirmRequest, unmaskRequest } from '../../federated/secagg/round-wire.ts';
import { verifyEd25519 } from '../../federated/secagg/primitives.ts';
import { RoundGraph } from '../../federated/secagg/round-protocol.ts';
import type { SignatureCheck } from '../../federated/secagg/shop-checks.ts';
import type { GraphOf } from '../../federated/secagg/shop-round.ts';

export type SharedChecks = {
  verify: SignatureCheck;
  graphOf: GraphOf;
  parseAnswer: AnswerParser;
  /** Documents parsed for real (and the milliseconds that took), and parses answered by an earlier one. */
  parses: { parsed: number; parsedMs: number; reused: number };
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
  // A shop checks the T confirmations of one survivor set against the same message object (the
  // set's bytes, ~0.2 MB at 10,000 shops): its digest is taken once per object, not once per check.
  const messageDigests = new WeakMap<Uint8Array, Buffer>();
  const digestOf = (message: Uint8Array) => {
    let digest = messageDigests.get(message);
    if (!digest) {
      digest = createHash('sha256').update(message).digest();
      messageDigests.set(message, digest);
    }
    return digest;
  };
  const verify: SignatureCheck = (publicKey, message, signature) => {
    // Base64 never holds a NUL: the three parts cannot run into each other.
    const key = createHash('sha256')
      .update(publicKey)
      .update('\0')
      .update(signature)
      .update('\0')
      .update(digestOf(message))
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
  const { parseAnswer, parses } = sharedDocuments();
  return { verify, counts, graphOf, graphs, parseAnswer, parses };
}

/** Documents every shop of a round receives byte for byte; any other answer is parsed as usual. */
const sameForEveryShop: z.ZodType[] = [signedRoster, confirmRequest, unmaskRequest];

function sharedDocuments() {
  const known = new Map<string, z.ZodSafeParseResult<unknown>>();
  const parses = { parsed: 0, parsedMs: 0, reused: 0 };
  const parseAnswer: AnswerParser = (text, schema) => {
    const kind = sameForEveryShop.indexOf(schema);
    if (kind < 0) return schema.safeParse(safeJson(text));
    const key = `${kind} ${createHash('sha256').update(text).digest('base64')}`;
    const earlier = known.get(key);
    if (earlier) {
      parses.reused++;
      return earlier;
    }
    const started = performance.now();
    const result = schema.safeParse(safeJson(text));
    parses.parsedMs += performance.now() - started;
    parses.parsed++;
    known.set(key, deepFreeze(result));
    return result;
  };
  return { parseAnswer, parses };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
