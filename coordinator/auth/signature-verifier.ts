import type { KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { verifyCanonical } from '../../federated/protocol/index.ts';
import { perTurn } from '../rounds/per-turn.ts';

/**
 * Checks the Ed25519 signatures of signed requests on a worker thread. The coordinator's event
 * loop is what limits how many uploads it accepts per second, and a signature check is the
 * largest piece of its work that needs nothing from it but bytes (about 0.1 ms of a 1 ms
 * upload); the second core does it instead. The checks of one turn of the event loop travel in
 * one message; each key is sent once (as DER) and parsed once by the thread.
 *
 * Should the thread fail, checks run on the event loop as before: slower, never skipped.
 */
const workerSource = `
const { parentPort } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
const keys = new Map();
parentPort.on('message', ({ id, reset, newKeys, checks }) => {
  if (reset) keys.clear();
  for (const [keyId, der] of newKeys)
    keys.set(keyId, createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' }));
  const results = checks.map(([keyId, message, signature]) => {
    try {
      return verify(null, Buffer.from(message), keys.get(keyId), Buffer.from(signature, 'base64'));
    } catch {
      return false;
    }
  });
  parentPort.postMessage({ id, results });
});
`;

type Check = { key: KeyObject; message: string; signature: string };
type Reply = { id: number; results: boolean[] };

/** Keys the thread holds before it forgets them all (the shop-auth key cache's bound). */
const maxKeys = 100_000;

/** Whether `signature` (base64) is `key`'s Ed25519 signature of `message`, on this thread. */
export const verifyHere = (check: Check): boolean =>
  verifyCanonical(check.key, check.message, check.signature);

export class SignatureVerifier {
  private readonly worker: Worker;
  private readonly keyIds = new Map<KeyObject, number>();
  private reset = false;
  private nextId = 1;
  private readonly pending = new Map<number, (results: boolean[] | null) => void>();
  private failed = false;
  private readonly batch: (check: Check) => Promise<boolean>;

  constructor() {
    this.worker = new Worker(workerSource, { eval: true });
    // Idle, the thread must not keep a process alive; `close` ends it.
    this.worker.unref();
    this.worker.on('message', (reply: Reply) => {
      this.pending.get(reply.id)?.(reply.results);
      this.pending.delete(reply.id);
    });
    const fail = () => {
      this.failed = true;
      for (const answer of this.pending.values()) answer(null);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', fail);
    this.batch = perTurn((checks: Check[]) => this.send(checks), { concurrency: 2 });
  }

  /** Whether the signature is valid; answered by the thread, or here if the thread is gone. */
  verify(check: Check): Promise<boolean> {
    if (this.failed) return Promise.resolve(verifyHere(check));
    return this.batch(check);
  }

  async close(): Promise<void> {
    this.failed = true;
    await this.worker.terminate();
  }

  private async send(checks: Check[]): Promise<boolean[]> {
    if (this.failed) return checks.map(verifyHere);
    if (this.keyIds.size + checks.length > maxKeys) {
      this.keyIds.clear();
      this.reset = true;
    }
    const newKeys: [number, Buffer][] = [];
    const rows = checks.map((check): [number, string, string] => {
      let keyId = this.keyIds.get(check.key);
      if (keyId === undefined) {
        keyId = this.keyIds.size + 1;
        this.keyIds.set(check.key, keyId);
        newKeys.push([keyId, check.key.export({ format: 'der', type: 'spki' })]);
      }
      return [keyId, check.message, check.signature];
    });
    const id = this.nextId++;
    const results = await new Promise<boolean[] | null>((resolve) => {
      this.pending.set(id, resolve);
      // Referenced while an answer is awaited, so a process waiting only for it stays up.
      this.worker.ref();
      this.worker.postMessage({ id, reset: this.reset, newKeys, checks: rows });
      this.reset = false;
    });
    if (this.pending.size === 0) this.worker.unref();
    return results ?? checks.map(verifyHere);
  }
}
