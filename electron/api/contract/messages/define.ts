import { z } from 'zod';

/**
 * One message the backend hands to the UI: a code and the values it needs. The renderer words
 * it in the shop's language (numbers, dates and money through Intl), so the backend never
 * writes sentences for bakers.
 */
export function says<C extends string, P extends z.ZodRawShape>(code: C, params: P) {
  return z.object({ code: z.literal(code), params: z.object(params).strict() }).strict();
}

/** A share such as 0.16 (shown as 16 %); effects may be negative. */
export const ratio = z.number().finite();
export const units = z.number().finite();
export const count = z.number().int();
export const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
/** Monday = 0 … Sunday = 6. */
export const weekday = z.number().int().min(0).max(6);
