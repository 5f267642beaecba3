import { addDays, dateAt, systemTimeZone } from '../../../federated/calendar/dates.ts';
import { locale } from '../i18n/index.svelte.ts';
import { shop } from './shop.svelte.ts';

export { addDays };

/** Today on the bakery's clock (the time zone in its settings), not on the browser's. */
export const todayIso = (): string => dateAt(new Date(), bakeryZone());

const bakeryZone = (): string => shop.settings?.timeZone ?? systemTimeZone();

/**
 * A calendar day as the Date Intl formats. Days are formatted in UTC (see `day` below), so the
 * browser's own zone can never move a date to its neighbour.
 */
const dayDate = (iso: string): Date => new Date(`${iso}T12:00:00Z`);
const day = { timeZone: 'UTC' } as const;

export const fmt = {
  number(value: number | null | undefined, maxDigits = 0): string {
    if (value == null || !Number.isFinite(value)) return '–';
    return new Intl.NumberFormat(locale.tag, { maximumFractionDigits: maxDigits }).format(value);
  },
  decimal(value: number | null | undefined, digits = 1): string {
    if (value == null || !Number.isFinite(value)) return '–';
    return new Intl.NumberFormat(locale.tag, {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(value);
  },
  percent(value: number | null | undefined, digits = 0): string {
    if (value == null || !Number.isFinite(value)) return '–';
    return new Intl.NumberFormat(locale.tag, {
      style: 'percent',
      maximumFractionDigits: digits,
    }).format(value);
  },
  currency(value: number | null | undefined, currency = locale.currency): string {
    if (value == null || !Number.isFinite(value)) return '–';
    return new Intl.NumberFormat(locale.tag, { style: 'currency', currency }).format(value);
  },
  date(iso: string | null | undefined, style: 'short' | 'medium' | 'long' | 'full' = 'medium') {
    if (!iso) return '–';
    return new Intl.DateTimeFormat(locale.tag, { ...day, dateStyle: style }).format(dayDate(iso));
  },
  weekday(iso: string, width: 'long' | 'short' = 'long'): string {
    return new Intl.DateTimeFormat(locale.tag, { ...day, weekday: width }).format(dayDate(iso));
  },
  /** Weekday names Monday first, for par-level columns. */
  weekdays(width: 'long' | 'short' = 'short'): string[] {
    // 2024-01-01 was a Monday.
    return Array.from({ length: 7 }, (_, i) => fmt.weekday(`2024-01-0${i + 1}`, width));
  },
  dateTime(timestamp: string | null | undefined): string {
    if (!timestamp) return '–';
    const date = new Date(timestamp);
    if (Number.isNaN(date.getTime())) return timestamp;
    return new Intl.DateTimeFormat(locale.tag, {
      timeZone: bakeryZone(),
      dateStyle: 'medium',
      timeStyle: 'short',
    }).format(date);
  },
  time(timestamp: string | Date): string {
    return new Intl.DateTimeFormat(locale.tag, {
      timeZone: bakeryZone(),
      timeStyle: 'short',
    }).format(new Date(timestamp));
  },
  bytes(value: number): string {
    const units = ['byte', 'kilobyte', 'megabyte'] as const;
    let amount = value;
    let unit = 0;
    while (amount >= 1024 && unit < units.length - 1) {
      amount /= 1024;
      unit++;
    }
    return new Intl.NumberFormat(locale.tag, {
      style: 'unit',
      unit: units[unit],
      unitDisplay: 'narrow',
      maximumFractionDigits: unit === 0 ? 0 : 1,
    }).format(amount);
  },
  /** "3 days ago" / "in 2 hours", for sync and training times. */
  relative(timestamp: string | null | undefined, now = Date.now()): string {
    if (!timestamp) return '–';
    const seconds = (new Date(timestamp).getTime() - now) / 1000;
    if (!Number.isFinite(seconds)) return timestamp;
    const rtf = new Intl.RelativeTimeFormat(locale.tag, { numeric: 'auto' });
    const steps: [Intl.RelativeTimeFormatUnit, number][] = [
      ['second', 60],
      ['minute', 60],
      ['hour', 24],
      ['day', 30],
      ['month', 12],
      ['year', Infinity],
    ];
    let amount = seconds;
    for (const [unit, size] of steps) {
      if (Math.abs(amount) < size) return rtf.format(Math.round(amount), unit);
      amount /= size;
    }
    return timestamp;
  },
};
