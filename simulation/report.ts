import { methods, type SimulationResult } from './simulate.ts';

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/**
 * The comparison as a Markdown table (readable on a terminal too), with the verdict in plain
 * words — including the bakeries for which federated learning did not beat training alone.
 */
export function formatTable(result: SimulationResult): string[] {
  const head = `| bakery | train days | test days | ${methods.map((m) => `WAPE ${m}`).join(' | ')} | ${methods.map((m) => `waste ${m}`).join(' | ')} | ${methods.map((m) => `short ${m}`).join(' | ')} |`;
  const rule = `|${head
    .split('|')
    .slice(1, -1)
    .map(() => ' --- ')
    .join('|')}|`;
  const row = (
    id: string,
    train: string,
    test: string,
    r: Pick<SimulationResult['overall'], 'wape' | 'waste' | 'shortage'>,
  ) =>
    `| ${id} | ${train} | ${test} | ${methods.map((m) => pct(r.wape[m])).join(' | ')} | ${methods.map((m) => r.waste[m]).join(' | ')} | ${methods.map((m) => r.shortage[m]).join(' | ')} |`;
  const lines = [head, rule];
  for (const shop of result.shops)
    lines.push(row(shop.id, String(shop.trainDays), String(shop.testDays), shop));
  lines.push(row('**all**', '', '', result.overall));
  const worse = result.shops.filter((s) => s.wape.federated >= s.wape.local);
  const cost = (
    r: { waste: Record<string, number>; shortage: Record<string, number> },
    m: string,
  ) =>
    (1 - result.settings.criticalRatio) * r.waste[m]! +
    result.settings.criticalRatio * r.shortage[m]!;
  lines.push(
    '',
    `Federated beats local on WAPE for ${result.shops.length - worse.length} of ${result.shops.length} bakeries` +
      (worse.length ? ` (not for: ${worse.map((s) => s.id).join(', ')})` : '') +
      '.',
    `Cost (waste × cost + shortage × margin, in units of price at CR ${result.settings.criticalRatio}): ` +
      methods.map((m) => `${m} ${cost(result.overall, m).toFixed(0)}`).join(', ') +
      '.',
    `Merged model alone (no local adaptation): WAPE ${pct(result.globalOnly.wape)}, waste ${result.globalOnly.waste}, short ${result.globalOnly.shortage}.`,
    `${result.rounds} rounds published of ${result.roundLog.length}; backend ${result.backend}; ${result.seconds.toFixed(0)} s.`,
  );
  return lines;
}
