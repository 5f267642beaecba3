/** The shop's sync client still imports its randomness from here; the source is random.ts. */
export { cryptoRandom, type RandomSource } from './random.ts';
