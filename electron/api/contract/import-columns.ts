import { z } from 'zod';

/** Columns the importer understands; a file must carry the required ones (directly or mapped). */
export const requiredImportColumns = ['date', 'product', 'sold'] as const;
export const optionalImportColumns = [
  'baked',
  'wasted',
  'category',
  'shelf_life_days',
  'unit_price',
  'unit_cost',
  'closed',
  'temperature',
  'rain',
  'holiday',
  'store',
  'sold_out',
  'sold_out_time',
  'waste_reason',
  'waste_outcome',
  'note',
] as const;
export const importColumn = z.enum([...requiredImportColumns, ...optionalImportColumns]);
export type ImportColumn = z.infer<typeof importColumn>;

/** How a file writes its dates; dd/mm and mm/dd cannot always be told apart (03/04/2024). */
export const dateFormat = z.enum(['yyyy-mm-dd', 'dd.mm.yyyy', 'dd/mm/yyyy', 'mm/dd/yyyy']);
export type DateFormat = z.infer<typeof dateFormat>;
