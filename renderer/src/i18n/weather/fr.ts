import type { WeatherWords } from './en.ts';

export const weatherFr: WeatherWords = {
  label: 'Météo',
  day: (temperature, rain) => `${temperature} °C, ${rain} mm de pluie`,
  dry: (temperature) => `${temperature} °C, sec`,
  source: (provider) => `prévision de ${provider}`,
  none: 'Pas de prévision météo pour ce jour : la prévision s’en passe.',
  failed: (provider) =>
    `La prévision météo n’a pas pu être obtenue auprès de ${provider} ; la prévision s’en passe, un nouvel essai aura lieu cette nuit.`,
  off: 'Les prévisions météo sont désactivées dans les Réglages.',
  noLocation: 'Indiquez où se trouve la boulangerie (Réglages) pour recevoir les prévisions météo.',
  settings: {
    title: 'Météo',
    lead: 'Chaque nuit, l’application récupère auprès d’Open-Meteo la prévision météo des deux jours suivants. La requête indique à Open-Meteo les coordonnées de la boulangerie (arrondies à environ 10 km) et rien d’autre sur la boulangerie.',
    enabled: 'Récupérer les prévisions météo',
    latitude: 'Latitude',
    longitude: 'Longitude',
    placeEntered: (lat, lon) => `Les prévisions sont demandées pour ${lat}, ${lon}.`,
    placeTimeZone: (lat, lon) =>
      `Aucune coordonnée saisie : les prévisions sont demandées pour la ville de votre fuseau horaire (${lat}, ${lon}). Saisissez les vôtres pour une prévision plus proche.`,
    saved: 'Réglages météo enregistrés.',
  },
};
