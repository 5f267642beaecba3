import { seededRandom } from '../../federated/model/random.ts';
import type { Day } from '../integration/coordinator-harness.ts';

/**
 * A shop's sales days made up from a seed: a weekly pattern, a temperature effect and noise.
 * For tests that need shops with different data but must not read ../shared.
 */
export function syntheticDays(seed: number, count: number): Day[] {
  const random = seededRandom(seed);
  const level = 40 + 40 * random();
  const weekly = Array.from({ length: 7 }, () => 0.7 + 0.6 * random());
  return Array.from({ length: count }, (_, i) => {
    const weekday = (i + seed) % 7;
    const temperature = 5 + 20 * random();
    const sold = Math.max(
      0,
      Math.round(level * weekly[weekday]! * (1 + 0.01 * (temperature - 15)) + 6 * (random() - 0.5)),
    );
    return { weekday, temperature, sold };
  });
}
