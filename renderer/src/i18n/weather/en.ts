/** The weather line of the forecast screen; de.ts and fr.ts are typed as this shape. */
export const weatherEn = {
  label: 'Weather',
  day: (temperature: string, rain: string) => `${temperature} °C, ${rain} mm rain`,
  dry: (temperature: string) => `${temperature} °C, dry`,
  source: (provider: string) => `forecast by ${provider}`,
  none: 'No weather forecast for this day: the forecast goes without it.',
  failed: (provider: string) =>
    `The weather forecast could not be fetched from ${provider}; the bake forecast goes without it and it is tried again tonight.`,
  off: 'Weather forecasts are turned off in Settings.',
  noLocation: 'Say where the bakery is (Settings) to get weather forecasts.',
  settings: {
    title: 'Weather',
    lead: 'Each night the app fetches the weather forecast for the next two days from Open-Meteo. The request tells Open-Meteo the bakery’s coordinates (rounded to about 10 km) and nothing else about the bakery.',
    enabled: 'Fetch weather forecasts',
    latitude: 'Latitude',
    longitude: 'Longitude',
    placeEntered: (lat: string, lon: string) => `Forecasts are asked for ${lat}, ${lon}.`,
    placeTimeZone: (lat: string, lon: string) =>
      `No coordinates entered: forecasts are asked for your time zone’s city (${lat}, ${lon}). Enter yours for a closer forecast.`,
    saved: 'Weather settings saved.',
  },
};
export type WeatherWords = typeof weatherEn;
