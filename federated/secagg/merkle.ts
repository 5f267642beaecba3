/**
 * A SHA-256 Merkle tree over a shop's per-sender share keys. The shop signs only the root in its
 * advertisement; a sender receives one key with its path and checks it against that root, so the
 * coordinator cannot hand out a key of its own, and nobody has to download every shop's keys.
 */
import { SecAggError, fromBase64, toBase64, utf8 } from './bytes.ts';
import { PROTOCOL, sha256 } from './primitives.ts';

const LEAF = utf8(`${PROTOCOL}/merkle-leaf`);
const NODE = utf8(`${PROTOCOL}/merkle-node`);
const EMPTY = sha256(utf8(`${PROTOCOL}/merkle-empty`));
const EMPTY_TEXT = toBase64(EMPTY);

function leaf(index: number, value: string): Uint8Array {
  return sha256(LEAF, utf8(JSON.stringify([index, value])));
}

function levels(values: string[]): Uint8Array[][] {
  if (values.length === 0) throw new SecAggError('malformed', 'a Merkle tree needs a leaf');
  let level = values.map((v, i) => leaf(i, v));
  const out = [level];
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2)
      next.push(sha256(NODE, level[i]!, level[i + 1] ?? EMPTY));
    level = next;
    out.push(level);
  }
  return out;
}

export function merkleRoot(values: string[]): string {
  return new MerkleTree(values).root;
}

/** A built tree; the coordinator keeps one per shop to hand out paths without rehashing. */
export class MerkleTree {
  // Every node in base64, once: a tree hands out a path per neighbour, and the paths share nodes.
  private readonly levels: string[][];

  constructor(values: string[]) {
    this.levels = levels(values).map((level) => level.map(toBase64));
  }

  get root(): string {
    return this.levels.at(-1)![0]!;
  }

  /** Sibling hashes from leaf `index` up to the root. */
  path(index: number): string[] {
    const path: string[] = [];
    let at = index;
    for (let depth = 0; depth < this.levels.length - 1; depth++) {
      path.push(this.levels[depth]![at ^ 1] ?? EMPTY_TEXT);
      at >>= 1;
    }
    return path;
  }
}

export function merkleVerify(root: string, index: number, value: string, path: string[]): boolean {
  if (!Number.isInteger(index) || index < 0 || index >= 2 ** path.length) return false;
  try {
    let hash = leaf(index, value);
    let at = index;
    for (const sibling of path) {
      const other = fromBase64(sibling, 32);
      hash = at & 1 ? sha256(NODE, other, hash) : sha256(NODE, hash, other);
      at >>= 1;
    }
    return toBase64(hash) === root;
  } catch {
    return false;
  }
}
