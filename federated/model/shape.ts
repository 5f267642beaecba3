import { featureCount, quantileLevels } from '../features/spec.ts';

/** The production network's shape: shared by every bakery and the coordinator. */
export const modelShape = {
  inputFeatures: featureCount,
  hiddenUnits: [32, 16],
  outputs: quantileLevels.length,
} as const;

export function parameterCount(): number {
  let inputs: number = modelShape.inputFeatures;
  let total = 0;
  for (const units of [...modelShape.hiddenUnits, modelShape.outputs]) {
    total += inputs * units + units;
    inputs = units;
  }
  return total;
}
