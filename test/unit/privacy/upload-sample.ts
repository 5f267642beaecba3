import * as S from '../../../federated/secagg/index.ts';
import { advertisedRound } from './round-harness.ts';

/** The masked uploads of a round with these inputs (one per shop), as the coordinator sees them. */
export async function runRoundUploads(length: number, inputs: Uint32Array[]): Promise<string[]> {
  const params = { roundId: 'uniformity', threshold: 2, vectorLength: length, modulusBits: 32 };
  const { ids, clients: states, server: advertised } = advertisedRound(params, inputs.length);
  let server = advertised;
  for (let i = 0; i < ids.length; i++) {
    const step = await S.shareKeys(states[i]!, S.roster(server));
    states[i] = step.state;
    server = S.acceptShareKeys(server, step.message);
  }
  server = S.closePhase(server);
  return ids.map(
    (id, i) => S.maskedInput(states[i]!, S.routeShares(server, id), inputs[i]!).message.masked,
  );
}
