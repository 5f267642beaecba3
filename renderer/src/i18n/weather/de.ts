import type { WeatherWords } from './en.ts';

export const weatherDe: WeatherWords = {
  label: 'Wetter',
  day: (temperature, rain) => `${temperature} °C, ${rain} mm Regen`,
  dry: (temperature) => `${temperature} °C, trocken`,
  source: (provider) => `Vorhersage von ${provider}`,
  none: 'Für diesen Tag gibt es keine Wettervorhersage: Die Prognose kommt ohne sie aus.',
  failed: (provider) =>
    `Die Wettervorhersage konnte nicht von ${provider} geholt werden; die Prognose kommt ohne sie aus, heute Nacht wird es erneut versucht.`,
  off: 'Wettervorhersagen sind in den Einstellungen ausgeschaltet.',
  noLocation:
    'Geben Sie in den Einstellungen an, wo die Bäckerei liegt, um Wettervorhersagen zu erhalten.',
  settings: {
    title: 'Wetter',
    lead: 'Jede Nacht holt die App die Wettervorhersage der nächsten zwei Tage von Open-Meteo. Die Anfrage nennt Open-Meteo die Koordinaten der Bäckerei (auf etwa 10 km gerundet) und sonst nichts über die Bäckerei.',
    enabled: 'Wettervorhersagen holen',
    latitude: 'Breitengrad',
    longitude: 'Längengrad',
    placeEntered: (lat, lon) => `Vorhersagen werden für ${lat}, ${lon} abgefragt.`,
    placeTimeZone: (lat, lon) =>
      `Keine Koordinaten eingegeben: Vorhersagen werden für die Stadt Ihrer Zeitzone abgefragt (${lat}, ${lon}). Geben Sie Ihre ein, um eine genauere Vorhersage zu erhalten.`,
    saved: 'Wettereinstellungen gespeichert.',
  },
};
