import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

let chosen: Promise<BackendName> | undefined;

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

async function tryNative(): Promise<boolean> {
  if (!isNode) return false;
  try {
    // Optional dependency: it registers the 'tensorflow' backend when its native library loads.
    const name = '@tensorflow/tfjs-node';
    await import(/* @vite-ignore */ name);
    return await tf.setBackend('tensorflow');
  } catch {
    return false;
  }
}

async function tryWasm(): Promise<boolean> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (isNode) {
      // In Node the .wasm files are read from node_modules, never fetched: point at them.
      const require = createRequire(import.meta.url);
      const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
      wasm.setWasmPaths({
        'tfjs-backend-wasm.wasm': join(dist, 'tfjs-backend-wasm.wasm'),
        'tfjs-backend-wasm-simd.wasm': join(dist, 'tfjs-backend-wasm-simd.wasm'),
        'tfjs-backend-wasm-threaded-simd.wasm': join(dist, 'tfjs-backend-wasm-threaded-simd.wasm'),
      });
    }
    return await tf.setBackend('wasm');
  } catch {
    return false;
  }
}

/**
 * Picks the fastest backend that loads here — native TensorFlow, then WASM, then plain JS — once
 * per process, and returns its name so callers can log and show it.
 * `BREADCAST_TF_BACKEND=cpu|wasm` forces one (benchmarks, debugging).
 */
export function initBackend(log: (message: string) => void = () => {}): Promise<BackendName> {
  chosen ??= (async () => {
    const forced = isNode ? process.env.BREADCAST_TF_BACKEND : undefined;
    let name: BackendName = 'cpu';
    if (forced === 'cpu') name = 'cpu';
    else if (forced !== 'wasm' && (await tryNative())) name = 'tensorflow';
    else if (await tryWasm()) name = 'wasm';
    if (name === 'cpu') await tf.setBackend('cpu');
    await tf.ready();
    const actual = tf.getBackend() as BackendName;
    log(`TensorFlow.js backend: ${actual}`);
    return actual;
  })();
  return chosen;
}
