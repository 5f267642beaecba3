import { addDays, dateAt, daysBetween, systemTimeZone } from '../../../federated/calendar/dates.ts';
import { formatters, type Formatters } from '../i18n/formatters.ts';
import { locale } from '../i18n/index.svelte.ts';
import { shop } from './shop.svelte.ts';

export { addDays, daysBetween };

/** Today on the bakery's clock (the time zone in its settings), not on the browser's. */
export const todayIso = (): string =>
  dateAt(new Date(), shop.settings?.timeZone ?? systemTimeZone());

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
