/**
 * The SecAgg+ communication graph: a random k-regular graph on the signed roster, drawn from a
 * seed that is a hash of the whole roster (every advertised key), so nobody picks it before the
 * advertise phase has closed. What the coordinator can still do — try many rosters — is bounded
 * in docs/privacy.md.
 *
 * Construction: the configuration model (k points per shop, shuffled and paired), then double-edge
 * switches that replace every loop and repeated edge (McKay & Wormald) until the graph is simple;
 * above k = (n − 1)/2 the complement of a random (n − 1 − k)-regular graph is taken. Finally the
 * vertices are relabelled by a uniformly random permutation, which makes each shop's neighbourhood
 * an exactly uniform k-subset of the others — the assumption of the hypergeometric bound in
 * round-config.ts — whatever residual bias the switching leaves.
 */
import { SecAggError } from './bytes.ts';
import { keystream } from './primitives.ts';

/** Uniform integers from an AES-256-CTR keystream (unbiased by rejection). */
export class SeededStream {
  private words: Uint32Array = new Uint32Array(0);
  private at = 0;
  private counter = 0;

  constructor(private readonly seed: Uint8Array) {
    if (seed.length !== 32) throw new SecAggError('malformed', 'graph seed must be 32 bytes');
  }

  private next(): number {
    if (this.at === this.words.length) {
      // Each refill keys a fresh block of the stream by its counter, so nothing repeats.
      const block = keystream(this.seed, 262_144, this.counter++);
      this.words = new Uint32Array(block.buffer, block.byteOffset, block.byteLength / 4);
      this.at = 0;
    }
    return this.words[this.at++]!;
  }

  /** Uniform in [0, bound). */
  below(bound: number): number {
    if (!Number.isInteger(bound) || bound < 1 || bound > 2 ** 32)
      throw new RangeError('bound out of range');
    const limit = Math.floor(2 ** 32 / bound) * bound;
    for (;;) {
      const x = this.next();
      if (x < limit) return x % bound;
    }
  }

  shuffle(values: Int32Array): void {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const tmp = values[i]!;
      values[i] = values[j]!;
      values[j] = tmp;
    }
  }
}

/** Edge set of a simple graph on 0..n−1 as sorted neighbour lists. */
export type Adjacency = Int32Array[];

function regularPairs(
  n: number,
  k: number,
  random: SeededStream,
): { u: Int32Array; v: Int32Array } {
  const points = new Int32Array(n * k);
  for (let i = 0; i < points.length; i++) points[i] = Math.floor(i / k);
  random.shuffle(points);
  const m = points.length / 2;
  const u = new Int32Array(m);
  const v = new Int32Array(m);
  for (let e = 0; e < m; e++) {
    u[e] = points[2 * e]!;
    v[e] = points[2 * e + 1]!;
  }
  return { u, v };
}

/**
 * Edge multiplicities of a graph on n vertices: a dense byte matrix while it is small (a roster
 * of 500 shops needs 250 kB), a map above that.
 */
class EdgeCounts {
  readonly dense: Uint8Array | null;
  private readonly sparse = new Map<number, number>();

  constructor(private readonly n: number) {
    this.dense = n <= DENSE_UP_TO ? new Uint8Array(n * n) : null;
  }

  get(a: number, b: number): number {
    const k = a < b ? a * this.n + b : b * this.n + a;
    return this.dense ? this.dense[k]! : (this.sparse.get(k) ?? 0);
  }

  add(a: number, b: number, d: number): void {
    const k = a < b ? a * this.n + b : b * this.n + a;
    if (this.dense) this.dense[k] = this.dense[k]! + d;
    else {
      const c = (this.sparse.get(k) ?? 0) + d;
      if (c === 0) this.sparse.delete(k);
      else this.sparse.set(k, c);
    }
  }
}

const DENSE_UP_TO = 4096;

/**
 * Turns the configuration model's multigraph into a simple k-regular graph by edge switches.
 * Returns the final edge counts (each 0 or 1).
 */
function simplify(
  n: number,
  pairs: { u: Int32Array; v: Int32Array },
  random: SeededStream,
): EdgeCounts {
  const { u, v } = pairs;
  const m = u.length;
  const count = new EdgeCounts(n);
  for (let e = 0; e < m; e++) count.add(u[e]!, v[e]!, 1);
  const bad = (e: number) => u[e] === v[e] || count.get(u[e]!, v[e]!) > 1;
  const queue = new Int32Array(m);
  let queued = 0;
  for (let e = 0; e < m; e++) if (bad(e)) queue[queued++] = e;
  let budget = 10_000 * (queued + 1) + 100 * m;
  // A switch makes at most one new bad edge (f) for the one it repairs (e), so m slots suffice.
  while (queued) {
    const e = queue[queued - 1]!;
    if (!bad(e)) {
      queued--;
      continue;
    }
    if (--budget < 0) throw new SecAggError('malformed', 'random regular graph did not converge');
    const f = random.below(m);
    if (f === e) continue;
    const a = u[e]!;
    const b = v[e]!;
    const flip = random.below(2) === 1;
    const c = flip ? u[f]! : v[f]!;
    const d = flip ? v[f]! : u[f]!;
    // Switch (a,b),(c,d) → (a,c),(b,d) only if neither new edge is a loop or already there.
    if (a === c || b === d || count.get(a, c) > 0 || count.get(b, d) > 0) continue;
    count.add(a, b, -1);
    count.add(c, d, -1);
    count.add(a, c, 1);
    count.add(b, d, 1);
    u[e] = a;
    v[e] = c;
    u[f] = b;
    v[f] = d;
    if (bad(f)) queue[queued++] = f;
  }
  return count;
}

function adjacencyOf(n: number, u: Int32Array, v: Int32Array): Adjacency {
  const lists: number[][] = Array.from({ length: n }, () => []);
  for (let e = 0; e < u.length; e++) {
    lists[u[e]!]!.push(v[e]!);
    lists[v[e]!]!.push(u[e]!);
  }
  return lists.map((l) => Int32Array.from(l).sort());
}

function complementOf(n: number, graph: Adjacency): Adjacency {
  return graph.map((near, i) => {
    const taken = new Uint8Array(n);
    taken[i] = 1;
    for (const j of near) taken[j] = 1;
    const out: number[] = [];
    for (let j = 0; j < n; j++) if (!taken[j]) out.push(j);
    return Int32Array.from(out);
  });
}

/**
 * The drawn graph before relabelling: the complete graph, a dense edge-count matrix whose entries
 * equal to `edge` are the edges (0 when the matrix holds the complement), or neighbour lists.
 */
type Drawn =
  | { kind: 'complete' }
  | { kind: 'dense'; counts: Uint8Array; edge: 0 | 1 }
  | { kind: 'lists'; lists: Adjacency };

function build(n: number, k: number, random: SeededStream): Drawn {
  if (k === n - 1) return { kind: 'complete' };
  const complement = 2 * k > n - 1;
  const pairs = regularPairs(n, complement ? n - 1 - k : k, random);
  const counts = simplify(n, pairs, random).dense;
  if (counts) {
    // The upper triangle holds each edge once; mirror it so a row lists all of a vertex's edges.
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) counts[j * n + i] = counts[i * n + j]!;
    return { kind: 'dense', counts, edge: complement ? 0 : 1 };
  }
  const lists = adjacencyOf(n, pairs.u, pairs.v);
  return { kind: 'lists', lists: complement ? complementOf(n, lists) : lists };
}

/** A random simple k-regular graph on n vertices drawn from `seed` (n·k even, 1 ≤ k < n). */
export function randomRegularGraph(n: number, k: number, seed: Uint8Array): Adjacency {
  if (!Number.isInteger(n) || !Number.isInteger(k) || k < 1 || k >= n || (n * k) % 2 !== 0)
    throw new SecAggError('malformed', `no ${k}-regular graph on ${n} vertices`);
  const random = new SeededStream(seed);
  const drawn = build(n, k, random);
  // Relabel: vertex i of the construction becomes vertex place[i]; at[label] undoes it.
  const place = Int32Array.from({ length: n }, (_, i) => i);
  random.shuffle(place);
  const at = new Int32Array(n);
  for (let i = 0; i < n; i++) at[place[i]!] = i;
  const out: Adjacency = new Array<Int32Array>(n);
  for (let label = 0; label < n; label++) {
    const v = at[label]!;
    const list = new Int32Array(k);
    let c = 0;
    if (drawn.kind === 'lists') {
      for (const j of drawn.lists[v]!) list[c++] = place[j]!;
      list.sort();
    } else if (drawn.kind === 'complete') {
      for (let other = 0; other < n; other++) if (other !== label) list[c++] = other;
    } else {
      // Scanning the other labels in order yields the row sorted, with no sort.
      const { counts, edge } = drawn;
      const row = v * n;
      for (let other = 0; other < n; other++)
        if (other !== label && counts[row + at[other]!] === edge) list[c++] = other;
    }
    out[label] = list;
  }
  return out;
}
