/**
 * Numbers, money and dates in one locale through Intl, and nothing else: no clock, no Svelte.
 * The screens use the shop language's set (lib/format.ts); the CLI builds an English one to
 * word backend messages the same way.
 */
export type Formatters = ReturnType<typeof formatters>;

/** A calendar day (YYYY-MM-DD) as an instant that names that day in UTC, whatever the clock. */
function utcNoon(iso: string): Date {
  const [y = 1970, m = 1, d = 1] = iso.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d, 12));
}

const relativeSteps: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 30],
  ['month', 12],
  ['year', Infinity],
];

export function formatters(tag: string, currency: string) {
  const finite = (value: number | null | undefined): value is number =>
    value != null && Number.isFinite(value);
  const day = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat(tag, { ...options, timeZone: 'UTC' });
  const f = {
    number(value: number | null | undefined, maxDigits = 0): string {
      if (!finite(value)) return '–';
      return new Intl.NumberFormat(tag, { maximumFractionDigits: maxDigits }).format(value);
    },
    decimal(value: number | null | undefined, digits = 1): string {
      if (!finite(value)) return '–';
      return new Intl.NumberFormat(tag, {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      }).format(value);
    },
    percent(value: number | null | undefined, digits = 0): string {
      if (!finite(value)) return '–';
      return new Intl.NumberFormat(tag, { style: 'percent', maximumFractionDigits: digits }).format(
        value,
      );
    },
    /** An effect such as +16 % or −8 %, always with its sign. */
    signedPercent(value: number): string {
      return new Intl.NumberFormat(tag, {
        style: 'percent',
        signDisplay: 'exceptZero',
        maximumFractionDigits: 0,
      }).format(value);
    },
    currency(value: number | null | undefined, code = currency): string {
      if (!finite(value)) return '–';
      return new Intl.NumberFormat(tag, { style: 'currency', currency: code }).format(value);
    },
    date(iso: string | null | undefined, style: 'short' | 'medium' | 'long' | 'full' = 'medium') {
      if (!iso) return '–';
      return day({ dateStyle: style }).format(utcNoon(iso));
    },
    weekday(iso: string, width: 'long' | 'short' = 'long'): string {
      return day({ weekday: width }).format(utcNoon(iso));
    },
    /** Weekday names Monday first (index 0), for par levels and forecast reasons. */
    weekdays(width: 'long' | 'short' = 'short'): string[] {
      // 2024-01-01 was a Monday.
      return Array.from({ length: 7 }, (_, i) => f.weekday(`2024-01-0${i + 1}`, width));
    },
    dateTime(timestamp: string | null | undefined): string {
      if (!timestamp) return '–';
      const date = new Date(timestamp);
      if (Number.isNaN(date.getTime())) return timestamp;
      return new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
    },
    time(timestamp: string | Date): string {
      return new Intl.DateTimeFormat(tag, { timeStyle: 'short' }).format(new Date(timestamp));
    },
    bytes(value: number): string {
      const units = ['byte', 'kilobyte', 'megabyte'] as const;
      let amount = value;
      let unit = 0;
      while (amount >= 1024 && unit < units.length - 1) {
        amount /= 1024;
        unit++;
      }
      return new Intl.NumberFormat(tag, {
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
      const rtf = new Intl.RelativeTimeFormat(tag, { numeric: 'auto' });
      let amount = seconds;
      for (const [unit, size] of relativeSteps) {
        if (Math.abs(amount) < size) return rtf.format(Math.round(amount), unit);
        amount /= size;
      }
      return timestamp;
    },
    /** A country (ISO 3166 code) by its name in this language, e.g. DE → "Deutschland". */
    country(code: string): string {
      try {
        return new Intl.DisplayNames(tag, { type: 'region' }).of(code) ?? code;
      } catch {
        return code;
      }
    },
    /** A currency (ISO 4217) by its name in this language, e.g. CHF → "Schweizer Franken". */
    currencyName(code: string): string {
      try {
        return new Intl.DisplayNames(tag, { type: 'currency' }).of(code) ?? code;
      } catch {
        return code;
      }
    },
    /**
     * A time zone as a baker knows it: its city and the zone's name in this language, e.g.
     * Europe/Berlin → "Berlin · Mitteleuropäische Zeit".
     */
    timeZone(zone: string): string {
      const city = (zone.split('/').pop() ?? zone).replace(/_/g, ' ');
      try {
        const name = new Intl.DateTimeFormat(tag, { timeZone: zone, timeZoneName: 'longGeneric' })
          .formatToParts(new Date())
          .find((part) => part.type === 'timeZoneName')?.value;
        return name ? `${city} · ${name}` : city;
      } catch {
        return city;
      }
    },
    /** "a, b and c" in the locale's words. */
    list(items: string[]): string {
      return new Intl.ListFormat(tag, { type: 'conjunction' }).format(items);
    },
  };
  return f;
}
