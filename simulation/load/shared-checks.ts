/**
 * A harness option of the secure load scenario, on there only. Every simulated shop checks the
 * roster's n signatures and the unmask request's T survivor signatures, and builds the round's
 * SecAgg+ graph from the roster (a configuration model over n·k points): the same inputs for every
 * shop. Each real shop does that once on its own machine (n checks, one graph: about 2 s at 10,000
 * shops); thousands of simulated shops in one process would do it n times over (10⁸ checks and
 * 10,000 graphs at 10,000 shops). Here a shop still compares the exact inputs with what was done
 * so far (key, signature and message — a long message by its SHA-256; or the SHA-256 of params
 * digest, roster hash, ids and configuration); only identical inputs reuse an earlier result, and
 * the first shop to meet them does the work for real. The same holds for the round's documents every shop is sent
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
  // By signature, the checks made with it: key, message (its bytes up to 1 kB, else their
  // SHA-256) and the outcome. A check is reused only when all three are equal.
  const known = new Map<
    string,
    { publicKey: string; long: boolean; bytes: Buffer; ok: boolean }[]
  >();
  const counts = { checked: 0, checkedMs: 0, reused: 0 };
  // A shop checks the T confirmations of one survivor set against the same message object (the
  // set's bytes, ~0.2 MB at 10,000 shops): its digest is taken once per object, not once per check.
  const digests = new WeakMap<Uint8Array, Buffer>();
  const formOf = (message: Uint8Array) => {
    // A short message (a roster line's advertisement) is compared whole, byte for byte: cheaper
    // than a hash per line, which at 10,000 lines was most of a shop's roster check.
    if (message.byteLength <= 1024)
      return {
        long: false,
        bytes: Buffer.from(message.buffer, message.byteOffset, message.byteLength),
      };
    let digest = digests.get(message);
    if (!digest) {
      digest = createHash('sha256').update(message).digest();
      digests.set(message, digest);
    }
    return { long: true, bytes: digest };
  };
  const verify: SignatureCheck = (publicKey, message, signature) => {
    const { long, bytes } = formOf(message);
    const earlier = known
      .get(signature)
      ?.find((c) => c.publicKey === publicKey && c.long === long && c.bytes.equals(bytes));
    if (earlier) {
      counts.reused++;
      return earlier.ok;
    }
    const started = performance.now();
    const ok = verifyEd25519(publicKey, message, signature);
    counts.checkedMs += performance.now() - started;
    const list = known.get(signature) ?? [];
    list.push({ publicKey, long, bytes: Buffer.from(bytes), ok });
    known.set(signature, list);
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
