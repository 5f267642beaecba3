import { z } from 'zod';
import { coarse, WeatherError, type DayWeather, type WeatherProvider } from './provider.ts';

/** The part of Open-Meteo's `/v1/forecast` answer this client reads (its documented format). */
const forecastAnswer = z.object({
  timezone: z.string(),
  daily_units: z.object({
    temperature_2m_max: z.literal('°C'),
    temperature_2m_min: z.literal('°C'),
    precipitation_sum: z.literal('mm'),
  }),
  daily: z
    .object({
      time: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)),
      temperature_2m_max: z.array(z.number().nullable()),
      temperature_2m_min: z.array(z.number().nullable()),
      precipitation_sum: z.array(z.number().nullable()),
    })
    .refine(
      (d) =>
        [d.temperature_2m_max, d.temperature_2m_min, d.precipitation_sum].every(
          (column) => column.length === d.time.length,
        ),
      'daily columns of different lengths',
    ),
});

/** Open-Meteo's error answer: `{"error": true, "reason": "..."}` with status 400. */
const errorAnswer = z.object({ error: z.literal(true), reason: z.string() });

export const openMeteoUrl = 'https://api.open-meteo.com';

/**
 * Open-Meteo's free forecast API (no key, no account). It is asked for the daily maximum and
 * minimum temperature and the precipitation sum of the bakery's coarse coordinates, on the
 * bakery's own calendar (`timezone`); the model's temperature is the day's mean, taken as the
 * middle of the two (what the bakery histories' `temperature` column holds).
 */
export function openMeteo(
  options: { baseUrl?: string; timeoutMs?: number; fetch?: typeof fetch } = {},
): WeatherProvider {
  const base = options.baseUrl ?? openMeteoUrl;
  return {
    name: 'Open-Meteo',
    async daily(place, timeZone, from, to): Promise<DayWeather[]> {
      const { latitude, longitude } = coarse(place);
      const url = new URL('/v1/forecast', base);
      url.search = new URLSearchParams({
        latitude: latitude.toFixed(1),
        longitude: longitude.toFixed(1),
        daily: 'temperature_2m_max,temperature_2m_min,precipitation_sum',
        timezone: timeZone,
        start_date: from,
        end_date: to,
      }).toString();
      let response: Response;
      let text: string;
      try {
        response = await (options.fetch ?? fetch)(url, {
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
        text = await response.text();
      } catch (error) {
        throw new WeatherError(
          'unreachable',
          `${url.host} cannot be reached (${(error as Error).message})`,
        );
      }
      const body = parseJson(text);
      if (!response.ok) {
        const said = errorAnswer.safeParse(body);
        throw new WeatherError(
          'refused',
          `${url.host} answered ${response.status}${said.success ? `: ${said.data.reason}` : ''}`,
        );
      }
      const parsed = forecastAnswer.safeParse(body);
      if (!parsed.success)
        throw new WeatherError(
          'bad-answer',
          `${url.host} sent an answer this client cannot read (${parsed.error.issues[0]?.message ?? 'invalid'})`,
        );
      const d = parsed.data.daily;
      return d.time.map((date, i) => {
        const max = d.temperature_2m_max[i] ?? null;
        const min = d.temperature_2m_min[i] ?? null;
        return {
          date,
          temperature:
            max === null || min === null ? null : Math.round(((max + min) / 2) * 10) / 10,
          rain: d.precipitation_sum[i] ?? null,
        };
      });
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
