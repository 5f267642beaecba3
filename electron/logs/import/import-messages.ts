import type { Language } from '../../api/contract/data.ts';
import type { DateFormat } from '../../api/contract/imports.ts';
import { rowMessages, type RowMessages } from '../validation-messages.ts';

/**
 * The problems the import wizard lists line by line, in the shop's language: the file is checked
 * in the backend, so its words must follow the language chosen in settings like every screen does.
 * Column names stay as written in the file (sold, date…): they are what the user finds there.
 */
export type ImportMessages = {
  /** The daily-entry words, for counts checked the same way as typed ones. */
  row: RowMessages;
  got: (problem: string, raw: string) => string;
  empty: (column: string) => string;
  notANumber: (column: string, raw: string, commaDecimal: boolean) => string;
  between: (min: number, max: number, unit: string) => string;
  mustBe: (column: string, range: string, raw: string) => string;
  notFlag: (column: string, raw: string) => string;
  notOneOf: (column: string, raw: string, options: string) => string;
  dateFormat: (date: string, format: DateFormat) => string;
  ambiguousDates: (example: string, formats: DateFormat[]) => string;
  dateNotInCalendar: (date: string) => string;
  productTooLong: string;
  shelfLifeRange: (days: number) => string;
  badTime: (time: string) => string;
  noteTooLong: (length: number) => string;
  mappedColumnMissing: (wanted: string, column: string) => string;
  headerTwice: (header: string) => string;
  requiredMissing: (column: string) => string;
  tooLarge: (mb: string, maxMb: string) => string;
  utf16File: string;
  nulCharacters: (line: number) => string;
  notUtf8: (line: number) => string;
  fieldCount: (line: number, fields: number, headerFields: number) => string;
  duplicate: (product: string, date: string, firstLine: number) => string;
  quoteNotClosed: (line: number | undefined) => string;
  notCsv: (line: number | undefined, detail: string) => string;
  emptyFile: string;
  noStoreColumn: string;
  storeNotInFile: (store: string, stores: string) => string;
  manyStores: (count: number, stores: string) => string;
  headerOnly: string;
  categoryConflict: (product: string, here: string, there: string, line: number) => string;
  shelfLifeConflict: (product: string, here: number, there: number, line: number) => string;
  refused: (count: number, line: number, first: string) => string;
  nothingToImport: string;
  readingFile: string;
};

export const importMessages: Record<Language, ImportMessages> = {
  en: {
    row: rowMessages.en,
    got: (problem, raw) => `${problem} (got ${raw}).`,
    empty: (c) => `${c} is empty.`,
    notANumber: (c, raw, comma) =>
      `${c} "${raw}" is not a number${comma ? ' (use a dot as the decimal separator)' : ''}.`,
    between: (min, max, unit) => `between ${min} and ${max}${unit}`,
    mustBe: (c, range, raw) => `${c} must be ${range} (got ${raw}).`,
    notFlag: (c, raw) => `${c} "${raw}" is not 0/1 (or yes/no).`,
    notOneOf: (c, raw, options) => `${c} "${raw}" is not one of ${options}.`,
    dateFormat: (date, format) => `date "${date}" is not written as ${format.toUpperCase()}.`,
    ambiguousDates: (example, formats) =>
      `Dates like ${example} can be read as ${formats.join(' or ')}: choose the date format.`,
    dateNotInCalendar: (date) => `date ${date} does not exist in the calendar.`,
    productTooLong: 'product name is longer than 80 characters.',
    shelfLifeRange: (days) => `shelf_life_days must be between 1 and 60 (got ${days}).`,
    badTime: (time) => `sold_out_time "${time}" is not HH:MM.`,
    noteTooLong: (length) => `note is longer than 500 characters (${length}).`,
    mappedColumnMissing: (wanted, c) =>
      `The column "${wanted}" chosen for ${c} is not in the header row.`,
    headerTwice: (header) => `The header "${header}" appears twice.`,
    requiredMissing: (c) =>
      `The required column "${c}" is missing: add it or map one of the file's columns to it.`,
    tooLarge: (mb, maxMb) =>
      `The file is ${mb} MB; at most ${maxMb} MB can be imported at once. Split it, e.g. by year.`,
    utf16File: 'The file is saved as UTF-16 (Unicode); save it as "CSV UTF-8" and import again.',
    nulCharacters: (at) =>
      `Line ${at} holds NUL characters: the file looks like UTF-16; save it as "CSV UTF-8".`,
    notUtf8: (at) =>
      `Line ${at} is not valid UTF-8 text (the file may be saved as Windows-1252 or Latin-1); save it as "CSV UTF-8".`,
    fieldCount: (line, fields, header) =>
      `Line ${line} has ${fields} fields, the header has ${header}.`,
    duplicate: (product, date, first) =>
      `${product} on ${date} appears twice (first on line ${first}).`,
    quoteNotClosed: (line) =>
      `A quoted field opens and never closes (found at line ${line}): check the quotes.`,
    notCsv: (line, detail) => `The file is not valid CSV near line ${line}: ${detail}`,
    emptyFile: 'The file is empty.',
    noStoreColumn: 'A store was chosen but the file has no store column.',
    storeNotInFile: (store, stores) =>
      `The file holds no rows of store "${store}" (stores: ${stores}).`,
    manyStores: (count, stores) =>
      `The file holds ${count} stores (${stores}): choose the one to import.`,
    headerOnly: 'The file has a header row but no data rows.',
    categoryConflict: (product, here, there, line) =>
      `${product} is "${here}" here but "${there}" on line ${line}.`,
    shelfLifeConflict: (product, here, there, line) =>
      `${product} keeps ${here} days here but ${there} on line ${line}.`,
    refused: (count, line, first) =>
      `The file was not imported: ${count} problem${count === 1 ? '' : 's'}, the first on line ${line}: ${first}`,
    nothingToImport: 'The file holds nothing to import.',
    readingFile: 'Reading the file',
  },
  de: {
    row: rowMessages.de,
    got: (problem, raw) => `${problem} (gefunden: ${raw}).`,
    empty: (c) => `${c} ist leer.`,
    notANumber: (c, raw, comma) =>
      `${c} „${raw}“ ist keine Zahl${comma ? ' (Punkt als Dezimaltrennzeichen verwenden)' : ''}.`,
    between: (min, max, unit) => `zwischen ${min} und ${max}${unit}`,
    mustBe: (c, range, raw) => `${c} muss ${range} liegen (gefunden: ${raw}).`,
    notFlag: (c, raw) => `${c} „${raw}“ ist nicht 0/1 (oder ja/nein).`,
    notOneOf: (c, raw, options) => `${c} „${raw}“ ist keiner der Werte ${options}.`,
    dateFormat: (date, format) =>
      `Datum „${date}“ ist nicht als ${format.toUpperCase().replace(/D/g, 'T').replace(/Y/g, 'J')} geschrieben.`,
    ambiguousDates: (example, formats) =>
      `Daten wie ${example} lassen sich als ${formats.join(' oder ')} lesen: wählen Sie das Datumsformat.`,
    dateNotInCalendar: (date) => `Datum ${date} gibt es im Kalender nicht.`,
    productTooLong: 'Produktname ist länger als 80 Zeichen.',
    shelfLifeRange: (days) => `shelf_life_days muss zwischen 1 und 60 liegen (gefunden: ${days}).`,
    badTime: (time) => `sold_out_time „${time}“ ist nicht im Format HH:MM.`,
    noteTooLong: (length) => `Notiz ist länger als 500 Zeichen (${length}).`,
    mappedColumnMissing: (wanted, c) =>
      `Die für ${c} gewählte Spalte „${wanted}“ steht nicht in der Kopfzeile.`,
    headerTwice: (header) => `Die Spalte „${header}“ kommt zweimal vor.`,
    requiredMissing: (c) =>
      `Die Pflichtspalte „${c}“ fehlt: ergänzen Sie sie oder ordnen Sie ihr eine Spalte der Datei zu.`,
    tooLarge: (mb, maxMb) =>
      `Die Datei hat ${mb} MB; höchstens ${maxMb} MB können auf einmal importiert werden. Teilen Sie sie auf, z. B. nach Jahr.`,
    utf16File:
      'Die Datei ist als UTF-16 (Unicode) gespeichert; speichern Sie sie als „CSV UTF-8“ und importieren Sie erneut.',
    nulCharacters: (at) =>
      `Zeile ${at} enthält NUL-Zeichen: die Datei scheint UTF-16 zu sein; speichern Sie sie als „CSV UTF-8“.`,
    notUtf8: (at) =>
      `Zeile ${at} ist kein gültiger UTF-8-Text (vielleicht als Windows-1252 oder Latin-1 gespeichert); speichern Sie die Datei als „CSV UTF-8“.`,
    fieldCount: (line, fields, header) =>
      `Zeile ${line} hat ${fields} Felder, die Kopfzeile hat ${header}.`,
    duplicate: (product, date, first) =>
      `${product} am ${date} kommt zweimal vor (zuerst in Zeile ${first}).`,
    quoteNotClosed: (line) =>
      `Ein Feld in Anführungszeichen wird nie geschlossen (gefunden in Zeile ${line}): Anführungszeichen prüfen.`,
    notCsv: (line, detail) => `Die Datei ist nahe Zeile ${line} kein gültiges CSV: ${detail}`,
    emptyFile: 'Die Datei ist leer.',
    noStoreColumn: 'Eine Filiale wurde gewählt, aber die Datei hat keine Spalte store.',
    storeNotInFile: (store, stores) =>
      `Die Datei enthält keine Zeilen der Filiale „${store}“ (Filialen: ${stores}).`,
    manyStores: (count, stores) =>
      `Die Datei enthält ${count} Filialen (${stores}): wählen Sie die zu importierende.`,
    headerOnly: 'Die Datei hat eine Kopfzeile, aber keine Datenzeilen.',
    categoryConflict: (product, here, there, line) =>
      `${product} ist hier „${here}“, aber in Zeile ${line} „${there}“.`,
    shelfLifeConflict: (product, here, there, line) =>
      `${product} hält hier ${here} Tage, aber in Zeile ${line} ${there}.`,
    refused: (count, line, first) =>
      `Die Datei wurde nicht importiert: ${count} Problem${count === 1 ? '' : 'e'}, das erste in Zeile ${line}: ${first}`,
    nothingToImport: 'Die Datei enthält nichts zu importieren.',
    readingFile: 'Datei wird gelesen',
  },
  fr: {
    row: rowMessages.fr,
    got: (problem, raw) => `${problem} (trouvé : ${raw}).`,
    empty: (c) => `${c} est vide.`,
    notANumber: (c, raw, comma) =>
      `${c} « ${raw} » n’est pas un nombre${comma ? ' (utilisez un point comme séparateur décimal)' : ''}.`,
    between: (min, max, unit) => `entre ${min} et ${max}${unit}`,
    mustBe: (c, range, raw) => `${c} doit être ${range} (trouvé : ${raw}).`,
    notFlag: (c, raw) => `${c} « ${raw} » n’est pas 0/1 (ou oui/non).`,
    notOneOf: (c, raw, options) => `${c} « ${raw} » n’est pas l’une des valeurs ${options}.`,
    dateFormat: (date, format) =>
      `la date « ${date} » n’est pas écrite ${format.toUpperCase().replace(/D/g, 'J').replace(/Y/g, 'A')}.`,
    ambiguousDates: (example, formats) =>
      `Des dates comme ${example} peuvent se lire ${formats.join(' ou ')} : choisissez le format des dates.`,
    dateNotInCalendar: (date) => `la date ${date} n’existe pas dans le calendrier.`,
    productTooLong: 'le nom du produit dépasse 80 caractères.',
    shelfLifeRange: (days) => `shelf_life_days doit être entre 1 et 60 (trouvé : ${days}).`,
    badTime: (time) => `sold_out_time « ${time} » n’est pas au format HH:MM.`,
    noteTooLong: (length) => `la note dépasse 500 caractères (${length}).`,
    mappedColumnMissing: (wanted, c) =>
      `La colonne « ${wanted} » choisie pour ${c} n’est pas dans la ligne d’en-tête.`,
    headerTwice: (header) => `L’en-tête « ${header} » apparaît deux fois.`,
    requiredMissing: (c) =>
      `La colonne obligatoire « ${c} » manque : ajoutez-la ou associez-lui une colonne du fichier.`,
    tooLarge: (mb, maxMb) =>
      `Le fichier fait ${mb} Mo ; au plus ${maxMb} Mo peuvent être importés à la fois. Découpez-le, par ex. par année.`,
    utf16File:
      'Le fichier est enregistré en UTF-16 (Unicode) ; enregistrez-le en « CSV UTF-8 » et importez-le à nouveau.',
    nulCharacters: (at) =>
      `La ligne ${at} contient des caractères NUL : le fichier semble être en UTF-16 ; enregistrez-le en « CSV UTF-8 ».`,
    notUtf8: (at) =>
      `La ligne ${at} n’est pas du texte UTF-8 valide (le fichier est peut-être en Windows-1252 ou Latin-1) ; enregistrez-le en « CSV UTF-8 ».`,
    fieldCount: (line, fields, header) =>
      `La ligne ${line} a ${fields} champs, l’en-tête en a ${header}.`,
    duplicate: (product, date, first) =>
      `${product} le ${date} apparaît deux fois (d’abord à la ligne ${first}).`,
    quoteNotClosed: (line) =>
      `Un champ entre guillemets n’est jamais fermé (trouvé à la ligne ${line}) : vérifiez les guillemets.`,
    notCsv: (line, detail) =>
      `Le fichier n’est pas un CSV valide vers la ligne ${line} : ${detail}`,
    emptyFile: 'Le fichier est vide.',
    noStoreColumn: 'Un magasin a été choisi mais le fichier n’a pas de colonne store.',
    storeNotInFile: (store, stores) =>
      `Le fichier ne contient aucune ligne du magasin « ${store} » (magasins : ${stores}).`,
    manyStores: (count, stores) =>
      `Le fichier contient ${count} magasins (${stores}) : choisissez celui à importer.`,
    headerOnly: 'Le fichier a une ligne d’en-tête mais aucune ligne de données.',
    categoryConflict: (product, here, there, line) =>
      `${product} est « ${here} » ici mais « ${there} » à la ligne ${line}.`,
    shelfLifeConflict: (product, here, there, line) =>
      `${product} se garde ${here} jours ici mais ${there} à la ligne ${line}.`,
    refused: (count, line, first) =>
      `Le fichier n’a pas été importé : ${count} problème${count === 1 ? '' : 's'}, le premier à la ligne ${line} : ${first}`,
    nothingToImport: 'Le fichier ne contient rien à importer.',
    readingFile: 'Lecture du fichier',
  },
};
