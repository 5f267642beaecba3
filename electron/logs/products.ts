import type { Product, ProductCategory, ProductFields } from '../api/contract/products.ts';
import { ApiError, issueOf } from '../api/dispatcher.ts';
import type { Db } from '../store/database.ts';

type ProductRecord = {
  id: number;
  name: string;
  category: ProductCategory;
  shelf_life_days: number;
  unit_price: number | null;
  unit_cost: number | null;
  par_levels: string | null;
  active: number;
};

/** Names are unique per bakery whatever their letter case or surrounding spaces. */
export function nameKey(name: string): string {
  return name.trim().normalize('NFC').toLocaleLowerCase('en');
}

export function toProduct(record: ProductRecord): Product {
  return {
    id: record.id,
    name: record.name,
    category: record.category,
    shelfLifeDays: record.shelf_life_days,
    unitPrice: record.unit_price,
    unitCost: record.unit_cost,
    parLevels: record.par_levels === null ? null : (JSON.parse(record.par_levels) as number[]),
    active: record.active === 1,
  };
}

const columns = 'id, name, category, shelf_life_days, unit_price, unit_cost, par_levels, active';

export function listProducts(db: Db, status: 'active' | 'inactive' | 'all' = 'active'): Product[] {
  const where = { active: 'WHERE active = 1', inactive: 'WHERE active = 0', all: '' }[status];
  return db
    .prepare<[], ProductRecord>(`SELECT ${columns} FROM products ${where} ORDER BY name_key`)
    .all()
    .map(toProduct);
}

export function findProduct(db: Db, id: number): Product | null {
  const record = db
    .prepare<[number], ProductRecord>(`SELECT ${columns} FROM products WHERE id = ?`)
    .get(id);
  return record ? toProduct(record) : null;
}

export function getProduct(db: Db, id: number): Product {
  const found = findProduct(db, id);
  if (!found) throw new ApiError('not-found', { code: 'refusal.noSuchProduct', params: { id } });
  return found;
}

export function findProductByName(db: Db, name: string): Product | null {
  const record = db
    .prepare<[string], ProductRecord>(`SELECT ${columns} FROM products WHERE name_key = ?`)
    .get(nameKey(name));
  return record ? toProduct(record) : null;
}

function assertNameFree(db: Db, name: string, exceptId?: number): void {
  const clash = findProductByName(db, name);
  if (clash && clash.id !== exceptId) {
    const reason = {
      code: 'refusal.productNameTaken',
      params: { name: clash.name, inactive: !clash.active },
    } as const;
    throw new ApiError('conflict', reason, [issueOf('name', reason)]);
  }
}

export function createProduct(db: Db, fields: ProductFields, now: Date): Product {
  const name = fields.name.trim();
  return db.transaction(() => {
    assertNameFree(db, name);
    const stamp = now.toISOString();
    const result = db
      .prepare(
        `INSERT INTO products (name, name_key, category, shelf_life_days, unit_price, unit_cost, par_levels, active, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
      )
      .run(
        name,
        nameKey(name),
        fields.category,
        fields.shelfLifeDays,
        fields.unitPrice,
        fields.unitCost,
        fields.parLevels === null ? null : JSON.stringify(fields.parLevels),
        stamp,
        stamp,
      );
    return getProduct(db, Number(result.lastInsertRowid));
  })();
}

export function updateProduct(
  db: Db,
  id: number,
  patch: Partial<ProductFields>,
  now: Date,
): Product {
  return db.transaction(() => {
    const current = getProduct(db, id);
    const next: ProductFields = {
      name: patch.name?.trim() ?? current.name,
      category: patch.category ?? current.category,
      shelfLifeDays: patch.shelfLifeDays ?? current.shelfLifeDays,
      unitPrice: patch.unitPrice === undefined ? current.unitPrice : patch.unitPrice,
      unitCost: patch.unitCost === undefined ? current.unitCost : patch.unitCost,
      parLevels: patch.parLevels === undefined ? current.parLevels : patch.parLevels,
    };
    assertNameFree(db, next.name, id);
    db.prepare(
      `UPDATE products SET name = ?, name_key = ?, category = ?, shelf_life_days = ?, unit_price = ?,
         unit_cost = ?, par_levels = ?, updated_at = ? WHERE id = ?`,
    ).run(
      next.name,
      nameKey(next.name),
      next.category,
      next.shelfLifeDays,
      next.unitPrice,
      next.unitCost,
      next.parLevels === null ? null : JSON.stringify(next.parLevels),
      now.toISOString(),
      id,
    );
    return getProduct(db, id);
  })();
}

/** Deactivation hides a product from the entry sheet; its logs stay for history and training. */
export function setProductActive(db: Db, id: number, active: boolean, now: Date): Product {
  getProduct(db, id);
  db.prepare('UPDATE products SET active = ?, updated_at = ? WHERE id = ?').run(
    active ? 1 : 0,
    now.toISOString(),
    id,
  );
  return getProduct(db, id);
}
