import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { extractSamples } from '../../../federated/features/extract.ts';
import { loadCsvHistories } from '../../../electron/forecast/csv-histories.ts';
import { bakeryChainCsv } from '../../../electron/logs/demo.ts';
import { benchPytorch } from '../../../simulation/bench/training.ts';

const torchHere = spawnSync('python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

describe('the PyTorch reference of the training bench', () => {
  const samples = loadCsvHistories(bakeryChainCsv, { store: '2' })
    .flatMap((p) => extractSamples(p.history))
    .slice(0, 800);
  const settings = { epochs: 4, learningRate: 0.006, batchSize: 256 };

  it.runIf(torchHere)('trains the same objective on the samples it is given', () => {
    const r = benchPytorch(samples, settings, 1, 1);
    if ('missing' in r) throw new Error(r.missing);
    expect(r).toMatchObject({ threads: 1, runs: 1 });
    expect(r.samplesPerSecond).toBeGreaterThan(0);
    expect(r.lossAfter).toBeLessThan(r.lossBefore);
  });

  it('says PyTorch is missing rather than failing the bench', () => {
    // -S: no site packages, so no torch, as on a machine without PyTorch.
    expect(benchPytorch(samples, settings, 1, 1, ['python3', '-S'])).toMatchObject({
      missing: expect.stringMatching(/PyTorch is not installed/),
    });
    expect(() => benchPytorch(samples, settings, 1, 1, ['python3', '-c', 'exit(3)'])).toThrow(
      /PyTorch reference failed \(exit 3\)/,
    );
  });
});
