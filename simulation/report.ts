import { methods, type Method, type ShopResult, type SimulationResult } from './simulate.ts';

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const num = (v: number | null) => (v === null ? '—' : String(v));
const banded: Method[] = ['federated', 'local', 'centralized'];

type Row = Pick<ShopResult, 'wape' | 'waste' | 'shortage' | 'coverage' | 'pinball'>;

/**
 * The comparison as a Markdown table (readable on a terminal too), with the verdict in plain
 * words — including the bakeries for which federated learning did not beat training alone, and
 * every bakery whose part failed.
 */
export function formatTable(result: SimulationResult): string[] {
  const head =
    `| bakery | train days | test days | ${methods.map((m) => `WAPE ${m}`).join(' | ')} ` +
    `| waste fed / local / central / naive | short fed / local / central / naive ` +
    `| below p10 fed / local / central | below p90 fed / local / central ` +
    `| pinball fed / local / central / naive |`;
  const rule = `|${head
    .split('|')
    .slice(1, -1)
    .map(() => ' --- ')
    .join('|')}|`;
  const row = (id: string, train: string, test: string, r: Row) =>
    `| ${id} | ${train} | ${test} | ${methods.map((m) => pct(r.wape[m])).join(' | ')} ` +
    `| ${methods.map((m) => num(r.waste[m])).join(' / ')} ` +
    `| ${methods.map((m) => num(r.shortage[m])).join(' / ')} ` +
    `| ${banded.map((m) => pct(r.coverage[m]?.p10 ?? null)).join(' / ')} ` +
    `| ${banded.map((m) => pct(r.coverage[m]?.p90 ?? null)).join(' / ')} ` +
    `| ${methods.map((m) => r.pinball[m]?.toFixed(4) ?? '—').join(' / ')} |`;
  const lines = [head, rule];
  for (const shop of result.shops)
    lines.push(row(shop.id, String(shop.trainDays), String(shop.testDays), shop));
  lines.push(row('**all**', '', '', result.overall));
  const compared = result.shops.filter((s) => s.wape.federated !== null && s.wape.local !== null);
  const worse = compared.filter((s) => s.wape.federated! >= s.wape.local!);
  const cost = (m: Method) =>
    (1 - result.settings.criticalRatio) * result.overall.waste[m] +
    result.settings.criticalRatio * result.overall.shortage[m];
  lines.push(
    '',
    `Federated beats local on WAPE for ${compared.length - worse.length} of ${compared.length} bakeries` +
      (worse.length ? ` (not for: ${worse.map((s) => s.id).join(', ')})` : '') +
      '.',
    `Cost (waste × cost + shortage × margin, in units of price at CR ${result.settings.criticalRatio}): ` +
      methods.map((m) => `${m} ${cost(m).toFixed(0)}`).join(', ') +
      '.',
    `Merged model alone (no local adaptation): WAPE ${pct(result.globalOnly.wape)}, waste ${result.globalOnly.waste}, short ${result.globalOnly.shortage}.`,
    'Calibrated bands put 10% of days below p10 and 90% below p90; pinball is the mean over the five quantiles per unit sold.',
    `Bands calibrated on the 28 days before each day (fed / local / central): below p10 ` +
      banded.map((m) => pct(result.overall.calibrated[m]?.coverage?.p10 ?? null)).join(' / ') +
      ', below p90 ' +
      banded.map((m) => pct(result.overall.calibrated[m]?.coverage?.p90 ?? null)).join(' / ') +
      ', pinball ' +
      banded.map((m) => result.overall.calibrated[m]?.pinball.toFixed(4) ?? '—').join(' / ') +
      '.',
    `${result.rounds} rounds published of ${result.roundLog.length}; ${result.threads} training threads on ${result.backend}; ${result.seconds.toFixed(0)} s.`,
  );
  for (const shop of result.shops)
    for (const f of shop.failures)
      lines.push(
        `Failed: ${shop.id}, ${f.stage}${f.round === null ? '' : ` of round ${f.round}`}: ${f.message}`,
      );
  if (result.excluded.length)
    lines.push(`Not in the overall row (a method has no figures): ${result.excluded.join(', ')}.`);
  return lines;
}
