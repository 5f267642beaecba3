import { z } from 'zod';
import { method } from './define.ts';

/** The shared product taxonomy: the model learns per category, so every bakery uses the same six. */
export const productCategory = z.enum(['bread', 'rolls', 'pastry', 'cake', 'snack', 'other']);
export type ProductCategory = z.infer<typeof productCategory>;
export const productCategories = productCategory.options;

const money = z.number().finite().min(0).max(100_000);

/** Minimum bake per weekday, Monday first; null when the bakery sets none. */
export const parLevels = z.array(z.number().int().min(0).max(100_000)).length(7);

export const product = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  category: productCategory,
  shelfLifeDays: z.number().int().min(1).max(60),
  unitPrice: money.nullable(),
  unitCost: money.nullable(),
  parLevels: parLevels.nullable(),
  active: z.boolean(),
});
export type Product = z.infer<typeof product>;

const productName = z
  .string()
  .trim()
  .min(1, 'Give the product a name.')
  .max(80, 'Keep the name under 80 characters.');

export const productFields = z.object({
  name: productName,
  category: productCategory,
  shelfLifeDays: z.number().int().min(1).max(60),
  unitPrice: money.nullable(),
  unitCost: money.nullable(),
  parLevels: parLevels.nullable(),
});
export type ProductFields = z.infer<typeof productFields>;

export const productsContract = {
  'products.list': method(
    'Products of this bakery, by name. `status` filters active (default), inactive or all.',
    z.object({ status: z.enum(['active', 'inactive', 'all']).default('active') }).strict(),
    z.object({ products: z.array(product) }),
  ),
  'products.create': method(
    'Adds a product; refused with code "conflict" (issue path "name") when the name exists in any letter case.',
    productFields
      .extend({
        shelfLifeDays: productFields.shape.shelfLifeDays.default(1),
        unitPrice: money.nullable().default(null),
        unitCost: money.nullable().default(null),
        parLevels: parLevels.nullable().default(null),
      })
      .strict(),
    product,
  ),
  'products.update': method(
    'Changes some fields of a product; the same name rule as create. History stays attached.',
    productFields.partial().extend({ id: z.number().int().positive() }).strict(),
    product,
  ),
  'products.setActive': method(
    'Deactivates (hides from the daily entry, keeps every log) or reactivates a product. Products are never deleted.',
    z.object({ id: z.number().int().positive(), active: z.boolean() }).strict(),
    product,
  ),
};
