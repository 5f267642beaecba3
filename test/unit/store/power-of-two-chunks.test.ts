import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { powerOfTwoChunks } from '../../../coordinator/store/sql.ts';

describe('powerOfTwoChunks', () => {
  it('keeps every row in order, in runs whose sizes are powers of two up to the maximum', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer(), { maxLength: 2000 }),
        fc.constantFrom(1, 8, 256),
        (rows, max) => {
          const chunks = powerOfTwoChunks(rows, max);
          expect(chunks.flat()).toEqual(rows);
          for (const chunk of chunks) {
            expect(chunk.length).toBeLessThanOrEqual(max);
            expect(Number.isInteger(Math.log2(chunk.length))).toBe(true);
          }
          // Largest first: at most one run of each size below the maximum.
          const small = chunks.map((c) => c.length).filter((n) => n < max);
          expect(new Set(small).size).toBe(small.length);
        },
      ),
    );
  });
});
