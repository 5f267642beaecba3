/**
 * A harness option of the secure load scenario, on there only: every simulated shop checks the
 * roster's n signatures and the unmask request's T survivor signatures, the same bytes for every
 * shop. Each real shop does that once on its own machine (n checks); thousands of simulated shops
 * in one process would do n² (10⁸ at 10,000 shops). Here a shop still computes SHA-256 over the
 * exact bytes it checks (key, signature, message) and compares it with the checks done so far;
 * only byte-identical inputs reuse an earlier result, and the first shop to meet them checks them
 * for real. The load result names the option and counts both kinds.
 */
import { createHash } from 'node:crypto';
import { verifyEd25519 } from '../../federated/secagg/primitives.ts';
import type { SignatureCheck } from '../../federated/secagg/shop-checks.ts';

export type SharedChecks = {
  verify: SignatureCheck;
  /**
   * Signatures checked for real (and the milliseconds they took), and checks answered from an
   * identical earlier one.
   */
  counts: { checked: number; checkedMs: number; reused: number };
};

export function sharedSignatureChecks(): SharedChecks {
  const known = new Map<string, boolean>();
  const counts = { checked: 0, checkedMs: 0, reused: 0 };
  const verify: SignatureCheck = (publicKey, message, signature) => {
    // Base64 never holds a NUL: the three parts cannot run into each other.
    const key = createHash('sha256')
      .update(publicKey)
      .update('\0')
      .update(signature)
      .update('\0')
      .update(message)
      .digest('base64');
    const earlier = known.get(key);
    if (earlier !== undefined) {
      counts.reused++;
      return earlier;
    }
    const started = performance.now();
    const ok = verifyEd25519(publicKey, message, signature);
    counts.checkedMs += performance.now() - started;
    known.set(key, ok);
    counts.checked++;
    return ok;
  };
  return { verify, counts };
}
