import { wordsToBase64 } from '../../../federated/secagg/bytes.ts';
import { runRound, shopIds } from './round-harness.ts';

/** The masked uploads of a round with these inputs (one per shop), as the coordinator sees them. */
export async function runRoundUploads(length: number, inputs: Uint32Array[]): Promise<string[]> {
  const ids = shopIds(inputs.length);
  const run = await runRound(
    { roundId: 'uniformity', vectorLength: length },
    Object.fromEntries(ids.map((id, i) => [id, inputs[i]!])),
  );
  return ids.map((id) => wordsToBase64(run.transcript.uploads.get(id)!.masked));
}
