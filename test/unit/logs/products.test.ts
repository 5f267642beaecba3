import { afterEach, describe, expect, it } from 'vitest';
import { testBackend, type TestBackend } from './api.ts';

let backend: TestBackend | undefined;
afterEach(() => backend?.close());

describe('products API', () => {
  it('creates, edits and lists products, refusing a name that exists in any letter case', async () => {
    backend = testBackend();
    const rye = await backend.ok('products.create', {
      name: ' Rye bread ',
      category: 'bread',
      shelfLifeDays: 3,
      unitPrice: 3.5,
      unitCost: 1.1,
    });
    expect(rye).toMatchObject({
      name: 'Rye bread',
      category: 'bread',
      shelfLifeDays: 3,
      parLevels: null,
      active: true,
    });
    const clash = await backend.call('products.create', { name: 'RYE BREAD', category: 'bread' });
    expect(clash.ok).toBe(false);
    if (!clash.ok) {
      expect(clash.error.code).toBe('conflict');
      expect(clash.error.issues?.[0]).toMatchObject({ path: 'name' });
      expect(clash.error.reason).toEqual({
        code: 'refusal.productNameTaken',
        params: { name: 'Rye bread', inactive: false },
      });
    }
    const roll = await backend.ok('products.create', { name: 'Roll', category: 'rolls' });
    const renamed = await backend.call('products.update', { id: roll.id, name: 'rye bread' });
    expect(renamed.ok).toBe(false);
    const edited = await backend.ok('products.update', {
      id: roll.id,
      parLevels: [10, 10, 10, 10, 12, 20, 0],
      unitPrice: 0.4,
    });
    expect(edited.parLevels).toEqual([10, 10, 10, 10, 12, 20, 0]);
    expect(edited.name).toBe('Roll');
    expect((await backend.ok('products.list', {})).products.map((p) => p.name)).toEqual([
      'Roll',
      'Rye bread',
    ]);
  });

  it('deactivates instead of deleting, keeping the product and its logs', async () => {
    backend = testBackend();
    const cake = await backend.ok('products.create', {
      name: 'Cheesecake',
      category: 'cake',
      shelfLifeDays: 2,
    });
    await backend.ok('logs.saveRow', {
      date: '2024-03-09',
      productId: cake.id,
      baked: 5,
      sold: 3,
      wasted: 1,
    });
    const off = await backend.ok('products.setActive', { id: cake.id, active: false });
    expect(off.active).toBe(false);
    expect((await backend.ok('products.list', {})).products).toEqual([]);
    expect((await backend.ok('products.list', { status: 'inactive' })).products).toHaveLength(1);
    expect((await backend.ok('logs.history', { productId: cake.id })).rows).toHaveLength(1);
    const missing = await backend.call('products.setActive', { id: 999, active: true });
    expect(missing.ok ? null : missing.error.code).toBe('not-found');
  });

  it('refuses bad fields through the schema (category outside the taxonomy, par levels not 7)', async () => {
    backend = testBackend();
    const wrong = await backend.call('products.create', { name: 'X', category: 'pie' as never });
    expect(wrong.ok ? null : wrong.error.code).toBe('bad-request');
    const par = await backend.call('products.create', {
      name: 'Y',
      category: 'bread',
      parLevels: [1, 2, 3],
    });
    expect(par.ok ? null : par.error.issues?.[0]?.path).toBe('parLevels');
  });
});
