import { afterEach, describe, expect, it } from 'vitest';
import { testBackend, type TestBackend } from './api.ts';

let backend: TestBackend | undefined;
afterEach(() => backend?.close());

describe('daily entry API', () => {
  it('gives every active product a row, with yesterday’s baked count as a hint', async () => {
    backend = testBackend();
    const roll = await backend.ok('products.create', { name: 'Roll', category: 'rolls' });
    await backend.ok('products.create', { name: 'Baguette', category: 'bread' });
    await backend.ok('logs.saveRow', {
      date: '2024-03-09',
      productId: roll.id,
      baked: 120,
      sold: 100,
      wasted: 20,
      wasteReason: 'unsold',
      wasteOutcome: 'donated',
    });
    const day = await backend.ok('logs.day', { date: '2024-03-10' });
    expect(day.rows.map((r) => [r.product.name, r.log, r.yesterdayBaked, r.carriedOver])).toEqual([
      ['Baguette', null, null, 0],
      ['Roll', null, 120, 0],
    ]);
    expect(day.context).toMatchObject({ closed: false, holiday: false });
  });

  it('refuses a wrong row with one message per field and saves nothing', async () => {
    backend = testBackend();
    const roll = await backend.ok('products.create', { name: 'Roll', category: 'rolls' });
    const refused = await backend.call('logs.saveRow', {
      date: '2024-03-10',
      productId: roll.id,
      baked: 10,
      sold: 9,
      wasted: 2,
    });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.issues?.map((i) => i.path)).toEqual(['sold', 'wasted']);
    const fractional = await backend.call('logs.saveRow', {
      date: '2024-03-10',
      productId: roll.id,
      baked: 10.5,
      sold: -1,
      wasted: null,
    });
    if (!fractional.ok)
      expect(fractional.error.issues).toMatchObject([
        { path: 'baked', reason: { code: 'entry.notWhole', params: { field: 'baked' } } },
        { path: 'sold', reason: { code: 'entry.negative', params: { field: 'sold' } } },
      ]);
    else expect.fail('fractional row was saved');
    expect((await backend.ok('logs.day', { date: '2024-03-10' })).rows[0]?.log).toBeNull();
  });

  it('lets multi-day products sell stock carried over, and only while it keeps', async () => {
    backend = testBackend();
    const bread = await backend.ok('products.create', {
      name: 'Rye bread',
      category: 'bread',
      shelfLifeDays: 2,
    });
    await backend.ok('logs.saveRow', {
      date: '2024-03-08',
      productId: bread.id,
      baked: 20,
      sold: 14,
      wasted: 0,
    });
    const sheet = await backend.ok('logs.day', { date: '2024-03-09' });
    expect(sheet.rows[0]?.carriedOver).toBe(6);
    const saved = await backend.ok('logs.saveRow', {
      date: '2024-03-09',
      productId: bread.id,
      baked: 10,
      sold: 16,
      wasted: 0,
    });
    expect(saved.row.carriedOver).toBe(6);
    // 03-08's loaf has expired by 03-10; only what 03-09 left (0) carries.
    const late = await backend.call('logs.saveRow', {
      date: '2024-03-10',
      productId: bread.id,
      baked: 5,
      sold: 6,
      wasted: 0,
    });
    expect(late.ok).toBe(false);
  });

  it('records edits of past days (field, old, new, when) but not of today', async () => {
    backend = testBackend(new Date('2024-03-10T18:00:00'));
    const roll = await backend.ok('products.create', { name: 'Roll', category: 'rolls' });
    const today = await backend.ok('logs.saveRow', {
      date: '2024-03-10',
      productId: roll.id,
      baked: 50,
      sold: 40,
      wasted: 10,
    });
    expect(today.editsRecorded).toBe(0);
    await backend.ok('logs.saveRow', {
      date: '2024-03-10',
      productId: roll.id,
      baked: 50,
      sold: 45,
      wasted: 5,
    });
    backend.clock.now = new Date('2024-03-12T09:00:00');
    const edit = await backend.ok('logs.saveRow', {
      date: '2024-03-10',
      productId: roll.id,
      baked: 50,
      sold: 44,
      wasted: 5,
      note: 'recount',
    });
    expect(edit.editsRecorded).toBe(2);
    const { edits } = await backend.ok('logs.edits', { date: '2024-03-10' });
    expect(edits.map((e) => [e.field, e.oldValue, e.newValue])).toEqual([
      ['note', null, 'recount'],
      ['sold', '45', '44'],
    ]);
    expect(edits[0]?.editedAt).toBe(new Date('2024-03-12T09:00:00').toISOString());
  });

  it('marks a day closed or a holiday, and fills holidays from the region’s calendar', async () => {
    backend = testBackend();
    expect((await backend.ok('logs.day', { date: '2024-10-03' })).context.holiday).toBe(false);
    await backend.ok('settings.set', { holidayRegion: { country: 'DE', state: 'NW' } });
    expect((await backend.ok('logs.day', { date: '2024-10-03' })).context).toMatchObject({
      holiday: true,
      holidayName: 'Tag der Deutschen Einheit',
    });
    const closed = await backend.ok('logs.setDayContext', { date: '2024-03-11', closed: true });
    expect(closed).toMatchObject({ closed: true, holiday: false });
    const holiday = await backend.ok('logs.setDayContext', {
      date: '2024-03-11',
      holiday: true,
      holidayName: 'Town fair',
    });
    expect(holiday).toMatchObject({ closed: true, holiday: true, holidayName: 'Town fair' });
  });

  it('answers history per day and per product with waste rates, filtered', async () => {
    backend = testBackend();
    const roll = await backend.ok('products.create', { name: 'Roll', category: 'rolls' });
    const cake = await backend.ok('products.create', { name: 'Cake', category: 'cake' });
    for (const [date, sold, wasted] of [
      ['2024-03-01', 90, 10],
      ['2024-03-02', 80, 20],
      ['2024-03-05', 100, 0],
    ] as const) {
      await backend.ok('logs.saveRow', { date, productId: roll.id, baked: 100, sold, wasted });
      await backend.ok('logs.saveRow', {
        date,
        productId: cake.id,
        baked: null,
        sold: 5,
        wasted: null,
      });
    }
    const all = await backend.ok('logs.history', {});
    expect(all).toMatchObject({ from: '2023-12-07', to: '2024-03-05' });
    expect(all.rows).toHaveLength(6);
    const rolls = await backend.ok('logs.history', {
      productId: roll.id,
      from: '2024-03-02',
      to: '2024-03-31',
    });
    expect(rolls.series).toHaveLength(1);
    expect(rolls.series[0]?.points.map((p) => p.wasteRate)).toEqual([0.2, 0]);
    expect(rolls.series[0]?.totals).toEqual({ sold: 180, wasted: 20, wasteRate: 0.1 });
    const cakes = await backend.ok('logs.history', { productId: cake.id });
    expect(cakes.series[0]?.totals.wasteRate).toBeNull();
  });
});
