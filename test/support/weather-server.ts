import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { addDays } from '../../federated/calendar/dates.ts';

/**
 * Open-Meteo's forecast answer for Berlin, written from the API's documented format (the
 * internet is not reachable from this machine, so it was not captured live).
 */
export const openMeteoFixture = JSON.parse(
  readFileSync(new URL('../fixtures/open-meteo-forecast.json', import.meta.url), 'utf8'),
) as { daily: { time: string[] } };

export type WeatherServerMode = 'answer' | 'error-400' | 'server-error' | 'garbage' | 'hang';

/**
 * A local stand-in for api.open-meteo.com on port 0: it replays the recorded answer with its
 * dates moved to the requested start_date (the values are the recording's), or fails as told.
 */
export async function startWeatherServer(mode: { current: WeatherServerMode }) {
  const requests: URL[] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    requests.push(url);
    if (mode.current === 'hang') return;
    if (url.pathname !== '/v1/forecast' || mode.current === 'error-400') {
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: true, reason: 'Cannot initialize WeatherVariable' }));
      return;
    }
    if (mode.current === 'server-error') {
      response.writeHead(502).end('Bad gateway');
      return;
    }
    if (mode.current === 'garbage') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"latitude": 52.5, "daily": {"time": "soon"}}');
      return;
    }
    const start = url.searchParams.get('start_date')!;
    const answer = structuredClone(openMeteoFixture);
    answer.daily.time = answer.daily.time.map((_, i) => addDays(start, i));
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
