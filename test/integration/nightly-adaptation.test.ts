import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../electron/store/database.ts';
import { commitImport } from '../../electron/logs/import/importer.ts';
import { stringSource } from '../../electron/logs/import/source.ts';
import { startTraining } from '../../electron/forecast/training-job.ts';
import {
  activeModel,
  forecastModelOf,
  saveTrainedModel,
} from '../../electron/forecast/model-store.ts';
import { loadHistories } from '../../electron/forecast/histories.ts';
import { trainingSettings } from '../../electron/forecast/training-settings.ts';
import {
  consortiumModel,
  consortiumRecipe,
  ownDays,
  personalise,
  personalShare,
} from '../../electron/forecast/consortium-model.ts';
import { membersOf, predictModel } from '../../electron/forecast/forecast-model.ts';
import { storeGlobalModel } from '../../electron/sync/global-models.ts';
import { saveSyncState } from '../../electron/sync/state.ts';
import { extractSamples } from '../../federated/features/extract.ts';
import { initTrainer, trainLocal } from '../../federated/model/train.ts';
import { bakeryChainCsv as chain } from '../../electron/logs/demo.ts';

let dir: string;
let db: Db;

/** One store of the real chain from May 2018 on: three products, one year. */
function storeCsv(store: string): string {
  const lines = readFileSync(chain, 'utf8').trim().split('\n');
  const header = lines[0]!;
  const storeAt = header.split(',').indexOf('store');
  return [
    header,
    ...lines.slice(1).filter((l) => l.split(',')[storeAt] === store && l >= '2018-05'),
  ].join('\n');
}

const maxDifference = (a: Float32Array, b: Float32Array) =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

beforeAll(async () => {
  await initTrainer();
  dir = mkdtempSync(join(tmpdir(), 'breadcast-adaptation-'));
  db = openDatabase(join(dir, 'shop.sqlite'));
  await commitImport(db, stringSource(storeCsv('17')), { store: '17' });
});

afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a consortium bakery’s forecast model', () => {
  it('lies between the merged model and its own adaptation, nearer the adaptation the longer its history', () => {
    const global = Float32Array.from([0, 1, -2, 4]);
    const adapted = Float32Array.from([2, 1, 2, -4]);
    expect([...personalise(global, adapted, 0.5)]).toEqual([1, 1, 0, 0]);
    expect([...personalise(global, adapted, 1)]).toEqual([...adapted]);
    expect(() => personalise(global, adapted.subarray(1), 0.5)).toThrow(RangeError);
    expect([14, 60, 90, 120, 1000].map(personalShare)).toEqual([0.5, 0.5, 0.75, 1, 1]);
    expect(ownDays([{ date: '2024-01-01' }, { date: '2024-01-01' }, { date: '2024-01-03' }])).toBe(
      2,
    );
  });

  it('is what the nightly training saves, adapting its consortium model afresh each night', async () => {
    const samples = loadHistories(db).flatMap((p) => extractSamples(p.history));
    const settings = trainingSettings(samples.length);
    // A consortium model: some other training of the same network.
    const global = (await trainLocal({ samples, ...settings, epochs: 2, seed: 7 })).weights;
    // The bakery forecasts with that model (as the demo's bakery adopts it).
    storeGlobalModel(db, 3, global, new Date());
    saveTrainedModel(
      db,
      { weights: global, source: 'adapted', globalVersion: 3 },
      {
        startedAt: '2024-01-01T00:00:00Z',
        finishedAt: '2024-01-01T00:00:00Z',
        trigger: 'cli',
        backend: 'test',
        samples: samples.length,
        epochs: 0,
        lossBefore: 0,
        lossAfter: 0,
      },
    );

    await startTraining({ db, trigger: 'manual', epochs: 2, seed: 1 }).promise;
    const first = activeModel(db)!;
    expect(first).toMatchObject({ source: 'adapted', globalVersion: 3 });
    // The same trainings here: three adaptations of the consortium model at a fraction of the
    // production learning rate, three models of its own days alone, seeds 1 to 3.
    const { seeds, adaptationLearningRate, aloneShare } = consortiumRecipe;
    const train = (seed: number, initialWeights?: Float32Array) =>
      trainLocal({
        samples,
        ...settings,
        ...(initialWeights
          ? { initialWeights, learningRate: settings.learningRate * adaptationLearningRate }
          : {}),
        epochs: 2,
        seed,
      });
    const seedList = Array.from({ length: seeds }, (_, i) => 1 + i);
    const adapted = await Promise.all(seedList.map((seed) => train(seed, global)));
    const alone = await Promise.all(seedList.map((seed) => train(seed)));
    // A year of history: the adaptations themselves (share 1); a young bakery's is tested below.
    const share = personalShare(ownDays(samples));
    expect(share).toBe(1);
    const members = first.members!;
    expect(members.map((m) => m.share)).toEqual([
      ...seedList.map(() => (1 - aloneShare) / seeds),
      ...seedList.map(() => aloneShare / seeds),
    ]);
    [...adapted, ...alone].forEach((t, i) =>
      expect(maxDifference(members[i]!.weights, t.weights)).toBeLessThan(1e-5),
    );
    expect(maxDifference(first.weights, members[0]!.weights)).toBe(0);
    expect(maxDifference(first.weights, global)).toBeGreaterThan(1e-4);
    expect(maxDifference(members[1]!.weights, members[0]!.weights)).toBeGreaterThan(1e-4);

    // It forecasts with the average of its networks' quantiles.
    const rows = samples.slice(-20).map((s) => s.x);
    const forecast = predictModel(forecastModelOf(first), rows);
    const byMember = members.map((m) => predictModel(m.weights, rows));
    forecast.forEach((q, r) =>
      q.forEach((v, k) => {
        const mean = members.reduce((sum, m, i) => sum + m.share * byMember[i]![r]![k]!, 0);
        expect(v).toBeCloseTo(mean, 4);
      }),
    );

    // The next night starts from the consortium model again, not from last night's model.
    await startTraining({ db, trigger: 'manual', epochs: 2, seed: 1 }).promise;
    const second = activeModel(db)!;
    expect(second.id).not.toBe(first.id);
    membersOf(forecastModelOf(second)).forEach((m, i) =>
      expect(maxDifference(m.weights, members[i]!.weights)).toBeLessThan(1e-6),
    );
  });

  it('is the same model the value-of-joining screen and simulate score', async () => {
    // Its last 60 days only: a young bakery, half way between the two.
    const all = loadHistories(db).flatMap((p) => extractSamples(p.history));
    const dates = [...new Set(all.map((s) => s.date))].sort();
    const samples = all.filter((s) => s.date >= dates[dates.length - 60]!);
    expect(personalShare(ownDays(samples))).toBe(0.5);
    const global = activeModel(db)!.weights;
    const { model, adapted } = await consortiumModel(global, samples);
    const settings = trainingSettings(samples.length);
    const adaptation = await trainLocal({
      samples,
      initialWeights: global,
      ...settings,
      learningRate: settings.learningRate * consortiumRecipe.adaptationLearningRate,
      seed: 1,
    });
    const alone = await trainLocal({ samples, ...settings, seed: 1 });
    expect(adapted).toBe(true);
    const members = membersOf(model);
    expect(members).toHaveLength(2 * consortiumRecipe.seeds);
    expect(
      maxDifference(members[0]!.weights, personalise(global, adaptation.weights, 0.5)),
    ).toBeLessThan(1e-6);
    expect(maxDifference(members[0]!.weights, adaptation.weights)).toBeGreaterThan(1e-4);
    expect(maxDifference(members[consortiumRecipe.seeds]!.weights, alone.weights)).toBeLessThan(
      1e-6,
    );
  });

  it('follows the newest merged model the sync client downloaded, never the untrained first one', async () => {
    const samples = loadHistories(db).flatMap((p) => extractSamples(p.history));
    const settings = trainingSettings(samples.length);
    const run = {
      startedAt: '2024-01-02T00:00:00Z',
      finishedAt: '2024-01-02T00:00:00Z',
      trigger: 'cli' as const,
      backend: 'test',
      samples: samples.length,
      epochs: 0,
      lossBefore: 0,
      lossAfter: 0,
    };
    // The bakery forecasts with its own model and has just joined a consortium.
    const own = (await trainLocal({ samples, ...settings, epochs: 1, seed: 3 })).weights;
    saveTrainedModel(db, { weights: own, source: 'local' }, run);
    const enrolled = (modelVersion: number) =>
      saveSyncState(db, {
        coordinatorUrl: 'http://127.0.0.1:9',
        shopId: 'shop-1',
        shopName: 'Store 17',
        publicKey: '',
        privateKey: '',
        clockOffsetMs: 0,
        lastSyncAt: null,
        lastError: null,
        modelVersion,
        currentRound: null,
        nextRoundAt: null,
      });

    // Version 1 is the coordinator's untrained start: the bakery keeps training its own model.
    const untrained = (await trainLocal({ samples, ...settings, epochs: 0, seed: 9 })).weights;
    storeGlobalModel(db, 1, untrained, new Date());
    enrolled(1);
    await startTraining({ db, trigger: 'manual', epochs: 1, seed: 1 }).promise;
    expect(activeModel(db)).toMatchObject({ source: 'local', globalVersion: null });

    // A merged model arrives: the next night adapts it, and the one after that a newer one.
    const merged = (await trainLocal({ samples, ...settings, epochs: 2, seed: 5 })).weights;
    storeGlobalModel(db, 4, merged, new Date());
    enrolled(4);
    await startTraining({ db, trigger: 'manual', epochs: 1, seed: 1 }).promise;
    expect(activeModel(db)).toMatchObject({ source: 'adapted', globalVersion: 4 });
    const adapted = await trainLocal({
      samples,
      initialWeights: merged,
      ...settings,
      learningRate: settings.learningRate * consortiumRecipe.adaptationLearningRate,
      epochs: 1,
      seed: 1,
    });
    expect(maxDifference(activeModel(db)!.weights, adapted.weights)).toBeLessThan(1e-5);

    storeGlobalModel(db, 5, own, new Date());
    enrolled(5);
    await startTraining({ db, trigger: 'manual', epochs: 1, seed: 1 }).promise;
    expect(activeModel(db)).toMatchObject({ source: 'adapted', globalVersion: 5 });
  });
});
