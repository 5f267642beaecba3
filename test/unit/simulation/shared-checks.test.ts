import { describe, expect, it } from 'vitest';
import { signEd25519 } from '../../../federated/secagg/primitives.ts';
import { createShopIdentity } from '../../../federated/secagg/shop-round.ts';
import { sharedSignatureChecks } from '../../../simulation/load/shared-checks.ts';

describe('the load harness’s shared signature checks', () => {
  const signer = createShopIdentity('shop-a');
  const publicKey = signer.publicKey;
  const message = new TextEncoder().encode('roster line of shop-a');
  const signature = signEd25519(signer.secretKey, message);

  it('reuse a check only for byte-identical key, message and signature, and keep its answer', () => {
    const { verify, counts } = sharedSignatureChecks();
    expect(verify(publicKey, message, signature)).toBe(true);
    expect(verify(publicKey, message, signature)).toBe(true);
    expect(counts).toMatchObject({ checked: 1, reused: 1 });

    // One byte of the message changed: checked anew, and refused.
    const altered = Uint8Array.from(message);
    altered[0] = altered[0]! ^ 1;
    expect(verify(publicKey, altered, signature)).toBe(false);
    expect(verify(publicKey, altered, signature)).toBe(false);
    expect(counts).toMatchObject({ checked: 2, reused: 2 });

    // Another key for the same message and signature: checked anew, and refused.
    const other = createShopIdentity('shop-b').publicKey;
    expect(verify(other, message, signature)).toBe(false);
    expect(counts).toMatchObject({ checked: 3, reused: 2 });
  });
});
