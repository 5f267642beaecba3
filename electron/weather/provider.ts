/**
 * Where weather forecasts come from: any service that answers the daily weather of a place for a
 * range of dates. Open-Meteo is the default; another provider (a national weather service, a
 * paid API) plugs in by implementing this.
 */
export type Coordinates = { latitude: number; longitude: number };

/** One day's weather as the model reads it: mean temperature (°C) and precipitation (mm). */
export type DayWeather = { date: string; temperature: number | null; rain: number | null };

export interface WeatherProvider {
  /** Shown beside the forecast ("Open-Meteo") and in the privacy words. */
  readonly name: string;
  /** Days `from`…`to` (YYYY-MM-DD on `timeZone`'s calendar) at `place`; throws WeatherError. */
  daily(place: Coordinates, timeZone: string, from: string, to: string): Promise<DayWeather[]>;
}

/** Why a fetch failed: unreachable (network), refused (the provider said no), bad-answer. */
export class WeatherError extends Error {
  constructor(
    readonly code: 'unreachable' | 'refused' | 'bad-answer',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Coordinates as they leave the bakery: rounded to 0.1° (about 10 km), enough for a daily
 * forecast and no closer to the shop's door than that.
 */
export function coarse(place: Coordinates): Coordinates {
  const round = (v: number) => Math.round(v * 10) / 10;
  return { latitude: round(place.latitude), longitude: round(place.longitude) };
}
