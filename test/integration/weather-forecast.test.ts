import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../federated/calendar/dates.ts';
import { openDatabase, type Db } from '../../electron/store/database.ts';
import { commitImport } from '../../electron/logs/import/importer.ts';
import { stringSource } from '../../electron/logs/import/source.ts';
import { bakeryChainCsv } from '../../electron/logs/demo.ts';
import { setSettings } from '../../electron/logs/settings.ts';
import { forecastDay } from '../../electron/forecast/forecast-service.ts';
import { openMeteo } from '../../electron/weather/open-meteo.ts';
import { refreshWeather } from '../../electron/weather/refresh.ts';
import { saveWeather } from '../../electron/weather/weather-settings.ts';
import { main } from '../../cli/main.ts';
import { captureIo } from '../support/cli-io.ts';
import { startWeatherServer, type WeatherServerMode } from '../support/weather-server.ts';

let dir: string;
/** Five months of chain store 5 (with its logged weather) and a model trained on them. */
let trained: string;
let lastLogged: string;
const mode: { current: WeatherServerMode } = { current: 'answer' };
let server: Awaited<ReturnType<typeof startWeatherServer>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'breadcast-weather-'));
  server = await startWeatherServer(mode);
  trained = join(dir, 'trained.sqlite');
  const lines = readFileSync(bakeryChainCsv, 'utf8').trim().split('\n');
  const storeAt = lines[0]!.split(',').indexOf('store');
  const csv = [
    lines[0]!,
    ...lines.slice(1).filter((l) => l.split(',')[storeAt] === '5' && l >= '2018-12'),
  ].join('\n');
  const db = openDatabase(trained);
  await commitImport(db, stringSource(csv), { store: '5' });
  setSettings(db, { holidayRegion: { country: 'DE', state: 'BE' }, timeZone: 'Europe/Berlin' });
  lastLogged = (db.prepare('SELECT max(date) AS d FROM daily_logs').get() as { d: string }).d;
  db.close();
  expect(await main(['train', '--db', trained], captureIo())).toBe(0);
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

let copies = 0;
function bakery(): Db {
  const path = join(dir, `copy-${++copies}.sqlite`);
  const source = openDatabase(trained);
  source.exec(`VACUUM INTO '${path}'`);
  source.close();
  return openDatabase(path);
}

/** The evening of the last logged day, in Berlin: "tomorrow" is the day after it. */
const evening = () => new Date(`${lastLogged}T19:00:00Z`);

function capturedLog() {
  const lines: { msg: string; code?: string }[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { log, lines };
}

const provider = (timeoutMs = 5_000) => openMeteo({ baseUrl: server.url, timeoutMs });

describe('the weather forecast for tomorrow', () => {
  it('is asked for the bakery’s coarse coordinates, stored with the day and used by the forecast', async () => {
    mode.current = 'answer';
    const db = bakery();
    const without = bakery();
    try {
      saveWeather(db, { enabled: true, latitude: 52.520_8, longitude: 13.409_4 });
      const asked = server.requests.length;
      const fetched = await refreshWeather(db, provider(), { now: evening() });
      expect(fetched).toMatchObject({ state: 'ok', provider: 'Open-Meteo', error: null });

      const tomorrow = addDays(lastLogged, 1);
      expect(server.requests.length).toBe(asked + 1);
      const query = Object.fromEntries(server.requests.at(-1)!.searchParams);
      expect(query).toEqual({
        latitude: '52.5',
        longitude: '13.4',
        daily: 'temperature_2m_max,temperature_2m_min,precipitation_sum',
        timezone: 'Europe/Berlin',
        start_date: tomorrow,
        end_date: addDays(tomorrow, 1),
      });
      // The recording's first day: 4.1 °C max, −0.9 °C min, dry; its second: 7.4 mm.
      const stored = db
        .prepare('SELECT date, temperature, rain FROM day_context WHERE date >= ? ORDER BY date')
        .all(tomorrow);
      expect(stored).toEqual([
        { date: tomorrow, temperature: 1.6, rain: 0 },
        { date: addDays(tomorrow, 1), temperature: 3.9, rain: 7.4 },
      ]);

      const withWeather = await forecastDay(db, { now: evening() });
      const noWeather = await forecastDay(without, { now: evening() });
      expect(withWeather.date).toBe(tomorrow);
      expect(withWeather.weather).toMatchObject({
        date: tomorrow,
        temperature: 1.6,
        rain: 0,
        state: 'ok',
        provider: 'Open-Meteo',
      });
      expect(noWeather.weather).toMatchObject({ temperature: null, rain: null, state: 'never' });
      // A cold day moves the model: the forecasts differ and the cold is named as a reason.
      const medians = (f: typeof withWeather) => f.products.map((p) => p.quantiles.p50);
      expect(medians(withWeather)).not.toEqual(medians(noWeather));
      expect(
        withWeather.products.some((p) =>
          p.explanation.some((e) => e.reason.code === 'forecast.weatherCold'),
        ),
      ).toBe(true);
      expect(
        noWeather.products.some((p) =>
          p.explanation.some((e) => e.reason.code.startsWith('forecast.weather')),
        ),
      ).toBe(false);
    } finally {
      db.close();
      without.close();
    }
  });

  it.each([
    ['error-400', 'refused'],
    ['server-error', 'refused'],
    ['garbage', 'bad-answer'],
    ['hang', 'unreachable'],
  ] as const)(
    'a failed fetch (%s) is a warning: the forecast comes without weather',
    async (failure, code) => {
      mode.current = failure;
      const db = bakery();
      try {
        const { log, lines } = capturedLog();
        const fetched = await refreshWeather(db, provider(500), { now: evening(), log });
        expect(fetched).toMatchObject({ state: 'failed', fetchedAt: null, error: { code } });
        expect(lines).toMatchObject([{ msg: 'weather forecast not fetched', code }]);
        expect((lines[0] as unknown as { level: number }).level).toBe(40);
        const forecast = await forecastDay(db, { now: evening() });
        // Store 5's three products, each with a bake, as without any weather service.
        expect(forecast.products.map((p) => p.recommendedBake > 0)).toEqual([true, true, true]);
        expect(forecast.weather).toMatchObject({ temperature: null, state: 'failed', error: code });
      } finally {
        db.close();
      }
    },
  );

  it('an unreachable provider is a warning too, and the last forecast stays', async () => {
    const db = bakery();
    try {
      mode.current = 'answer';
      await refreshWeather(db, provider(), { now: evening() });
      const closed = openMeteo({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 2_000 });
      const later = new Date(evening().getTime() + 3_600_000);
      const fetched = await refreshWeather(db, closed, { now: later });
      expect(fetched).toMatchObject({
        state: 'failed',
        fetchedAt: evening().toISOString(),
        error: { code: 'unreachable' },
      });
      expect((await forecastDay(db, { now: later })).weather).toMatchObject({
        temperature: 1.6,
        state: 'failed',
      });
    } finally {
      db.close();
    }
  });

  it('turned off, or with no place known, nothing is asked', async () => {
    mode.current = 'answer';
    const off = bakery();
    const nowhere = openDatabase(join(dir, 'nowhere.sqlite'));
    try {
      const asked = server.requests.length;
      saveWeather(off, { enabled: false, latitude: 52.5, longitude: 13.4 });
      expect(await refreshWeather(off, provider(), { now: evening() })).toMatchObject({
        state: 'off',
      });
      // A new bakery that has not said where it is: no time zone city is guessed for it.
      expect(await refreshWeather(nowhere, provider(), { now: evening() })).toMatchObject({
        state: 'no-location',
      });
      expect(server.requests.length).toBe(asked);
    } finally {
      off.close();
      nowhere.close();
    }
  });

  it('without entered coordinates the time zone’s city is asked, and a holiday ahead keeps its flag', async () => {
    mode.current = 'answer';
    const db = openDatabase(join(dir, 'christmas.sqlite'));
    try {
      setSettings(db, { holidayRegion: { country: 'DE', state: 'BE' }, timeZone: 'Europe/Vienna' });
      await refreshWeather(db, provider(), { now: new Date('2026-12-24T10:00:00Z') });
      const query = server.requests.at(-1)!.searchParams;
      expect([query.get('latitude'), query.get('longitude')]).toEqual(['48.2', '16.3']);
      expect(db.prepare('SELECT date, holiday FROM day_context ORDER BY date').all()).toEqual([
        { date: '2026-12-25', holiday: 1 },
        { date: '2026-12-26', holiday: 1 },
      ]);
    } finally {
      db.close();
    }
  });
});
