import { locale, t } from '../i18n/index.svelte.ts';

/** How the dashboard writes times, durations and figures: short, local, and never "NaN". */

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return date.toLocaleString(locale.tag, {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
}

export function day(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleDateString(locale.tag, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  });
}

export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return t.time.never;
  const seconds = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (seconds < 60) return t.time.justNow;
  if (seconds < 3600) return t.time.minutesAgo(Math.round(seconds / 60));
  if (seconds < 86_400) return t.time.hoursAgo(Math.round(seconds / 3600));
  return t.time.daysAgo(Math.round(seconds / 86_400));
}

export function until(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '';
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  if (seconds <= 0) return t.time.now;
  if (seconds < 3600) return t.time.inMinutes(Math.max(1, Math.round(seconds / 60)));
  if (seconds < 86_400) return t.time.inHours(Math.round(seconds / 3600));
  return t.time.inDays(Math.round(seconds / 86_400));
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 10_000) return `${number(ms / 1000, 1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

export function number(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toLocaleString(locale.tag, { maximumFractionDigits: digits });
}

export function percent(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${(value * 100).toLocaleString(locale.tag, { minimumFractionDigits: digits, maximumFractionDigits: digits })} %`;
}

export function phaseName(phase: string): string {
  return t.phases[phase] ?? phase;
}

export function outcomeName(outcome: string): string {
  return t.outcomes[outcome] ?? outcome;
}

export function metricName(metric: string): string {
  return t.metrics[metric] ?? metric;
}

/** Error metrics the dashboard knows to show as percentages. */
export function metricValue(metric: string, value: number | null | undefined): string {
  return metric === 'wape' ? percent(value) : number(value, 3);
}
