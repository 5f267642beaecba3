import { formatters, type Formatters } from '../i18n/formatters.ts';
import { locale } from '../i18n/index.svelte.ts';

/** 'YYYY-MM-DD' of a Date in the local calendar (the bakery's day, not UTC's). */
export function isoDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export const todayIso = (): string => isoDay(new Date());

/** A calendar day as a local Date at noon, so DST shifts never move it to a neighbour. */
export function dayDate(iso: string): Date {
  const [y = 1970, m = 1, d = 1] = iso.split('-').map(Number);
  return new Date(y, m - 1, d, 12);
}

export function addDays(iso: string, days: number): string {
  const date = dayDate(iso);
  date.setDate(date.getDate() + days);
  return isoDay(date);
}

/** Whole days from one calendar day to another (negative when `to` comes first). */
export const daysBetween = (from: string, to: string): number =>
  Math.round((dayDate(to).getTime() - dayDate(from).getTime()) / 86_400_000);

/** Monday = 0 … Sunday = 6, the order par levels are stored in. */
export const weekdayIndex = (iso: string): number => (dayDate(iso).getDay() + 6) % 7;

let cached: { key: string; set: Formatters } | null = null;

/** Formatters in the shop's language and currency (rebuilt when either changes). */
function current(): Formatters {
  const key = `${locale.tag}|${locale.currency}`;
  if (cached?.key !== key) cached = { key, set: formatters(locale.tag, locale.currency) };
  return cached.set;
}

/** Numbers, money and dates as the screens show them: always in the shop's language. */
export const fmt: Formatters = new Proxy({} as Formatters, {
  get: (_target, name) => current()[name as keyof Formatters],
});
