/**
 * Randomness for the privacy mechanism. Production draws from node:crypto's CSPRNG; tests may
 * pass a seeded AES-256-CTR stream (never a short seed) so statistical checks are reproducible.
 */
import { createCipheriv, randomBytes } from 'node:crypto';

/** Source of uniformly random bytes. */
export type RandomSource = (byteLength: number) => Uint8Array;

export const cryptoRandom: RandomSource = (n) => new Uint8Array(randomBytes(n));

/** Reproducible randomness for tests: AES-256-CTR keystream under a 256-bit seed. */
export function seededRandom(seed: Uint8Array): RandomSource {
  if (seed.length !== 32) throw new RangeError('seed must be 32 bytes');
  const cipher = createCipheriv('aes-256-ctr', seed, Buffer.alloc(16));
  return (n) => new Uint8Array(cipher.update(Buffer.alloc(n)));
}

// One request per 64 KiB keeps the per-call cost of the CSPRNG out of the per-sample loop.
const CHUNK_WORDS = 16_384;

/**
 * Buffered uniform words, bits and integers over a RandomSource. Every value is built from
 * whole random words by exact integer operations (no modulo bias: ranges use rejection).
 */
export class RandomBits {
  private words = new Uint32Array(0);
  private next = 0;
  private bitWord = 0;
  private bitsLeft = 0;

  constructor(private readonly source: RandomSource) {}

  word(): number {
    if (this.next === this.words.length) {
      const bytes = this.source(CHUNK_WORDS * 4);
      this.words = new Uint32Array(bytes.buffer, bytes.byteOffset, CHUNK_WORDS).slice();
      this.next = 0;
    }
    return this.words[this.next++]!;
  }

  bit(): number {
    if (this.bitsLeft === 0) {
      this.bitWord = this.word();
      this.bitsLeft = 32;
    }
    this.bitsLeft--;
    const b = this.bitWord & 1;
    this.bitWord >>>= 1;
    return b;
  }

  /** A uniform integer in [0, 2^53). */
  uint53(): number {
    return (this.word() >>> 11) * 2 ** 32 + this.word();
  }

  /** A uniform 64-bit integer, for extending a uniform's binary expansion exactly. */
  uint64(): bigint {
    return (BigInt(this.word()) << 32n) | BigInt(this.word());
  }

  /** A uniform double in [0, 1) with 32 random bits: enough for rounding, never for noise. */
  unit32(): number {
    return this.word() / 2 ** 32;
  }
}
