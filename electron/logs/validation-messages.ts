import type { Language } from '../api/contract/data.ts';

/**
 * The daily-entry refusals staff read beside a field, in the shop's language: the check runs in
 * the backend, so its words must follow the language chosen in settings like every screen does.
 */
export type RowMessages = {
  labels: { baked: string; sold: string; wasted: string };
  notANumber: (label: string) => string;
  negative: (label: string) => string;
  notWhole: (label: string) => string;
  tooLarge: (label: string, max: number) => string;
  stock: (baked: number, carried: number) => string;
  soldAndWastedTooMany: (
    sold: number,
    wasted: number,
    used: number,
    stock: string,
    available: number,
  ) => string;
  soldTooMany: (sold: number, stock: string, available: number) => string;
  badTime: string;
  timeWithoutSoldOut: string;
  reasonWithoutWaste: string;
  outcomeWithoutWaste: string;
};

export const rowMessages: Record<Language, RowMessages> = {
  en: {
    labels: { baked: 'Baked', sold: 'Sold', wasted: 'Wasted' },
    notANumber: (l) => `${l} must be a number.`,
    negative: (l) => `${l} cannot be negative.`,
    notWhole: (l) => `${l} must be a whole number.`,
    tooLarge: (l, max) => `${l} looks too large (at most ${max}).`,
    stock: (baked, carried) =>
      carried > 0 ? `baked ${baked} plus ${carried} carried over` : `baked ${baked}`,
    soldAndWastedTooMany: (sold, wasted, used, stock, available) =>
      `Sold ${sold} and wasted ${wasted} make ${used}, more than ${stock} (${available}).`,
    soldTooMany: (sold, stock, available) => `Sold ${sold} is more than ${stock} (${available}).`,
    badTime: 'Give the time as HH:MM, e.g. 14:30.',
    timeWithoutSoldOut: 'A sold-out time needs "sold out" ticked (or clear the time).',
    reasonWithoutWaste: 'No units wasted: clear the reason or enter the wasted count.',
    outcomeWithoutWaste: 'No units wasted: clear the outcome or enter the wasted count.',
  },
  de: {
    labels: { baked: 'Gebacken', sold: 'Verkauft', wasted: 'Weggeworfen' },
    notANumber: (l) => `${l} muss eine Zahl sein.`,
    negative: (l) => `${l} darf nicht negativ sein.`,
    notWhole: (l) => `${l} muss eine ganze Zahl sein.`,
    tooLarge: (l, max) => `${l} scheint zu groß (höchstens ${max}).`,
    stock: (baked, carried) =>
      carried > 0 ? `${baked} gebacken plus ${carried} Restbestand` : `${baked} gebacken`,
    soldAndWastedTooMany: (sold, wasted, used, stock, available) =>
      `${sold} verkauft und ${wasted} weggeworfen ergeben ${used}, mehr als ${stock} (${available}).`,
    soldTooMany: (sold, stock, available) =>
      `${sold} verkauft ist mehr als ${stock} (${available}).`,
    badTime: 'Uhrzeit als HH:MM angeben, z. B. 14:30.',
    timeWithoutSoldOut:
      'Eine Ausverkauft-Uhrzeit braucht das Häkchen „ausverkauft“ (oder Uhrzeit löschen).',
    reasonWithoutWaste: 'Nichts weggeworfen: Grund löschen oder die Menge eintragen.',
    outcomeWithoutWaste: 'Nichts weggeworfen: Verbleib löschen oder die Menge eintragen.',
  },
  fr: {
    labels: { baked: 'Cuit', sold: 'Vendu', wasted: 'Jeté' },
    notANumber: (l) => `${l} doit être un nombre.`,
    negative: (l) => `${l} ne peut pas être négatif.`,
    notWhole: (l) => `${l} doit être un nombre entier.`,
    tooLarge: (l, max) => `${l} semble trop grand (au plus ${max}).`,
    stock: (baked, carried) =>
      carried > 0 ? `${baked} cuits plus ${carried} reportés` : `${baked} cuits`,
    soldAndWastedTooMany: (sold, wasted, used, stock, available) =>
      `${sold} vendus et ${wasted} jetés font ${used}, plus que ${stock} (${available}).`,
    soldTooMany: (sold, stock, available) =>
      `${sold} vendus, c’est plus que ${stock} (${available}).`,
    badTime: 'Indiquez l’heure au format HH:MM, par ex. 14:30.',
    timeWithoutSoldOut: 'Une heure de rupture demande de cocher « épuisé » (ou effacez l’heure).',
    reasonWithoutWaste: 'Rien de jeté : effacez le motif ou saisissez la quantité jetée.',
    outcomeWithoutWaste: 'Rien de jeté : effacez le devenir ou saisissez la quantité jetée.',
  },
};
