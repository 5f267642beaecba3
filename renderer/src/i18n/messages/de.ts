import { de as words } from '../de.ts';
import type { Catalogue } from './catalogue.ts';

const fields = { baked: 'Gebacken', sold: 'Verkauft', wasted: 'Weggeworfen' };

/** A column by the name the import screen gives it. */
const col = (column: keyof typeof words.import.columns) => words.import.columns[column];

export const de: Catalogue = {
  'forecast.weekday': ({ weekday, effect }, f) =>
    `${f.weekdays('long')[weekday]}: ${f.signedPercent(effect)} gegenüber einem durchschnittlichen Tag`,
  'forecast.holiday': ({ effect }, f) => `Feiertag: ${f.signedPercent(effect)}`,
  'forecast.holidaySoon': ({ effect }, f) =>
    `Feiertag in den nächsten zwei Tagen: ${f.signedPercent(effect)}`,
  'forecast.weatherWarm': ({ effect }, f) => `Warmes Wetter: ${f.signedPercent(effect)}`,
  'forecast.weatherCold': ({ effect }, f) => `Kaltes Wetter: ${f.signedPercent(effect)}`,
  'forecast.rain': ({ effect }, f) => `Regen: ${f.signedPercent(effect)}`,
  'forecast.trendUp': ({ effect }, f) =>
    `Letzte Tage über dem üblichen Niveau: ${f.signedPercent(effect)}`,
  'forecast.trendDown': ({ effect }, f) =>
    `Letzte Tage unter dem üblichen Niveau: ${f.signedPercent(effect)}`,
  'forecast.defaultRatio': ({ ratio }, f) =>
    `Noch kein Preis oder Einkaufspreis: gebacken für ${f.percent(ratio)} Chance, nicht auszuverkaufen`,
  'forecast.parLevel': ({ par }, f) => `Auf Ihre Mindestmenge von ${f.number(par)} angehoben`,
  'forecast.historyTooShort': ({ historyDays, minimumDays, model }, f) =>
    `Erst ${f.number(historyDays)} Verkaufstage: diese Prognose stützt sich auf das ${model === 'consortium' ? 'gemeinsame Modell des Verbunds' : 'allgemeine Modell'}, bis ${f.number(minimumDays)} Tage erfasst sind.`,
  'forecast.carriedOver': ({ units }, f) =>
    `${f.number(units)} noch verkäufliche Stück von den Vortagen: so viel weniger gebacken`,

  'entry.notANumber': ({ field }) => `${fields[field]} muss eine Zahl sein.`,
  'entry.negative': ({ field }) => `${fields[field]} darf nicht negativ sein.`,
  'entry.notWhole': ({ field }) => `${fields[field]} muss eine ganze Zahl sein.`,
  'entry.tooLarge': ({ field, max }, f) =>
    `${fields[field]} scheint zu groß (höchstens ${f.number(max)}).`,
  'entry.moreThanStock': ({ sold, wasted, baked, carriedOver }, f) => {
    const stock =
      carriedOver > 0
        ? `${f.number(baked)} gebacken plus ${f.number(carriedOver)} Restbestand (${f.number(baked + carriedOver)})`
        : `${f.number(baked)} gebacken`;
    return wasted
      ? `${f.number(sold)} verkauft und ${f.number(wasted)} weggeworfen ergeben ${f.number(sold + wasted)}, mehr als ${stock}.`
      : `${f.number(sold)} verkauft ist mehr als ${stock}.`;
  },
  'entry.badTime': () => 'Uhrzeit als HH:MM angeben, z. B. 14:30.',
  'entry.timeWithoutSoldOut': () =>
    'Eine Ausverkauft-Uhrzeit braucht das Häkchen „ausverkauft“ (oder Uhrzeit löschen).',
  'entry.reasonWithoutWaste': () => 'Nichts weggeworfen: Grund löschen oder die Menge eintragen.',
  'entry.outcomeWithoutWaste': () =>
    'Nichts weggeworfen: Verbleib löschen oder die Menge eintragen.',

  'import.empty': ({ column }) => `${col(column)} ist leer.`,
  'import.notANumber': ({ column, raw, commaDecimal }) =>
    `${col(column)} „${raw}“ ist keine Zahl${commaDecimal ? ' (Punkt als Dezimaltrennzeichen verwenden)' : ''}.`,
  'import.negative': ({ column, raw }) =>
    `${col(column)} darf nicht negativ sein (gefunden: ${raw}).`,
  'import.notWhole': ({ column, raw }) =>
    `${col(column)} muss eine ganze Zahl sein (gefunden: ${raw}).`,
  'import.tooLarge': ({ column, raw, max }, f) =>
    `${col(column)} scheint zu groß: höchstens ${f.number(max)} (gefunden: ${raw}).`,
  'import.outOfRange': ({ column, raw, min, max, unit }, f) =>
    `${col(column)} muss zwischen ${f.number(min)} und ${f.number(max)}${unit ? ` ${unit}` : ''} liegen (gefunden: ${raw}).`,
  'import.notFlag': ({ column, raw }) => `${col(column)} „${raw}“ ist nicht 0/1 (oder ja/nein).`,
  'import.notOneOf': ({ column, raw, options }) =>
    `${col(column)} „${raw}“ ist keiner der Werte ${options.join(', ')}.`,
  'import.dateFormat': ({ raw, format }) =>
    `Das Datum „${raw}“ ist nicht als ${germanFormat(format)} geschrieben.`,
  'import.ambiguousDates': ({ example, formats }) =>
    `Daten wie ${example} lassen sich als ${formats.map(germanFormat).join(' oder ')} lesen: wählen Sie, wie diese Datei Daten schreibt.`,
  'import.dateNotInCalendar': ({ date }) => `Das Datum ${date} gibt es im Kalender nicht.`,
  'import.productTooLong': ({ max }, f) =>
    `Der Produktname ist länger als ${f.number(max)} Zeichen.`,
  'import.shelfLifeRange': ({ days }, f) =>
    `Die Haltbarkeit muss zwischen 1 und 60 Tagen liegen (gefunden: ${f.number(days)}).`,
  'import.badTime': ({ raw }) =>
    `Die Ausverkauft-Uhrzeit „${raw}“ ist nicht als HH:MM geschrieben.`,
  'import.noteTooLong': ({ length, max }, f) =>
    `Die Notiz ist länger als ${f.number(max)} Zeichen (${f.number(length)}).`,
  'import.mappedColumnMissing': ({ header, column }) =>
    `Die für ${col(column)} gewählte Spalte „${header}“ steht nicht in der Kopfzeile.`,
  'import.headerTwice': ({ header }) => `Die Spalte „${header}“ steht zweimal in der Kopfzeile.`,
  'import.requiredMissing': ({ column }) =>
    `Die Spalte für ${col(column)} fehlt: wählen Sie, welche Spalte der Datei sie enthält.`,
  'import.fileTooLarge': ({ bytes, maxBytes }, f) =>
    `Die Datei hat ${f.bytes(bytes)}; höchstens ${f.bytes(maxBytes)} können auf einmal importiert werden. Teilen Sie sie auf, z. B. nach Jahr.`,
  'import.utf16': () =>
    'Die Datei ist als UTF-16 (Unicode) gespeichert; speichern Sie sie als „CSV UTF-8“ und importieren Sie erneut.',
  'import.nulCharacters': ({ line }, f) =>
    `Zeile ${f.number(line)} enthält NUL-Zeichen: die Datei scheint UTF-16 zu sein; speichern Sie sie als „CSV UTF-8“.`,
  'import.notUtf8': ({ line }, f) =>
    `Zeile ${f.number(line)} ist kein gültiger UTF-8-Text (vielleicht als Windows-1252 gespeichert); speichern Sie die Datei als „CSV UTF-8“.`,
  'import.fieldCount': ({ fields, headerFields }, f) =>
    `Diese Zeile hat ${f.number(fields)} Felder, die Kopfzeile ${f.number(headerFields)}.`,
  'import.duplicate': ({ product, date, firstLine }, f) =>
    `${product} am ${f.date(date)} kommt zweimal vor (zuerst in Zeile ${f.number(firstLine)}).`,
  'import.quoteNotClosed': ({ line }, f) =>
    `Ein Feld in Anführungszeichen wird nie geschlossen (gefunden in Zeile ${f.number(line)}): Anführungszeichen prüfen.`,
  'import.notCsv': ({ line }, f) => `Die Datei ist nahe Zeile ${f.number(line)} kein gültiges CSV.`,
  'import.emptyFile': () => 'Die Datei ist leer.',
  'import.noStoreColumn': () =>
    'Eine Filiale wurde gewählt, aber die Datei hat keine Filialspalte.',
  'import.storeNotInFile': ({ store, stores }) =>
    `Die Datei enthält keine Zeilen der Filiale „${store}“ (Filialen: ${stores.join(', ')}).`,
  'import.manyStores': ({ count, stores }, f) =>
    `Die Datei enthält ${f.number(count)} Filialen (${stores.join(', ')}): wählen Sie die zu importierende.`,
  'import.headerOnly': () => 'Die Datei hat eine Kopfzeile, aber keine Datenzeilen.',
  'import.categoryConflict': ({ product, here, there, line }, f) =>
    `${product} ist hier „${here}“, aber in Zeile ${f.number(line)} „${there}“.`,
  'import.shelfLifeConflict': ({ product, here, there, line }, f) =>
    `${product} hält hier ${f.number(here)} Tage, aber in Zeile ${f.number(line)} ${f.number(there)}.`,
  'import.refused': ({ problems }, f) =>
    problems === 1
      ? 'Die Datei wurde nicht importiert: 1 Zeile hat ein Problem.'
      : `Die Datei wurde nicht importiert: ${f.number(problems)} Probleme.`,
  'import.nothingToImport': () => 'Die Datei enthält nichts zu importieren.',
  'import.staleHistory': ({ newestDate, days, windowDays }, f) =>
    `Der neueste Tag in dieser Datei ist der ${f.date(newestDate)}, vor ${f.number(days)} Tagen. Die Prognose lernt daraus Wochentage, Jahreszeiten und Feiertage jedes Produkts, aber nicht, wie es seitdem lief: ` +
    (days > windowDays
      ? `Für morgen lässt sich kein Produkt vorhersagen, bis Verkäufe der letzten ${f.number(windowDays)} Tage erfasst sind.`
      : `Die Prognose für morgen stützt sich auf Verkäufe bis zum ${f.date(newestDate)}; erfassen Sie die Tage seitdem.`),

  'refusal.invalidRequest': ({ field }) =>
    field
      ? `Die App hat etwas gesendet, das die Bäckereidaten nicht annehmen (${field}).`
      : 'Die App hat etwas gesendet, das die Bäckereidaten nicht annehmen.',
  'refusal.unknownRegion': ({ region }) =>
    `Der Feiertagskalender kennt die Region ${region} nicht.`,
  'refusal.unknownTimeZone': ({ zone }) => `Die Zeitzone ${zone} kennt die App nicht.`,
  'refusal.backupNewer': ({ name }) =>
    `${name} stammt von einer neueren Breadcast-Version: Bitte zuerst die App aktualisieren.`,
  'refusal.notABackup': ({ name }) => `${name} ist keine Breadcast-Sicherung einer Bäckerei.`,
  'refusal.backupUnreadable': ({ name }) =>
    `${name} lässt sich nicht lesen und daher nicht wiederherstellen.`,
  'refusal.noSuchBackup': ({ name }) => `Es gibt keine Sicherung namens ${name}.`,
  'refusal.restoreFailed': ({ name }) =>
    `Das Wiederherstellen von ${name} hat nicht geklappt; die Daten sind wie vorher.`,
  'refusal.noSuchProduct': () => 'Dieses Produkt gibt es nicht (mehr).',
  'refusal.productNameTaken': ({ name, inactive }) =>
    inactive
      ? `Es gibt schon ein deaktiviertes Produkt „${name}“: Aktivieren Sie es stattdessen wieder.`
      : `Es gibt schon ein Produkt „${name}“.`,
  'refusal.noModel': () =>
    'Noch keine Prognose: Drücken Sie „Jetzt trainieren“, sobald einige Wochen Verkäufe erfasst sind.',
  'refusal.noSalesForProduct': () => 'Für dieses Produkt sind noch keine Verkäufe erfasst.',
  'refusal.nothingToBacktest': () =>
    'Noch keine Verkäufe erfasst, es gibt also nichts nachzuspielen.',
  'refusal.backtestFailed': () => 'Das Nachspielen vergangener Wochen hat diesmal nicht geklappt.',
  'refusal.trainingRunning': () =>
    'Das Modell lernt gerade schon; bitte warten, bis es fertig ist.',
  'refusal.nothingToCompare': () =>
    'Noch keine Verkäufe erfasst, es gibt also nichts zu vergleichen.',
  'refusal.tooLittleHistoryToCompare': ({ from, minimumDays }, f) =>
    `Zu wenig Verlauf vor dem ${f.date(from)}: Ein Produkt braucht ${f.number(minimumDays)} erfasste Öffnungstage vor den verglichenen Tagen.`,
  'refusal.noDaysToCompare': ({ from }, f) =>
    `Seit dem ${f.date(from)} gibt es keine Öffnungstage mit Verkäufen zum Vergleichen.`,
  'refusal.comparisonRunning': () => 'Der Vergleich läuft bereits.',
  'refusal.notEnrolled': () =>
    'Diese Bäckerei ist noch keinem Verbund beigetreten: Geben Sie zuerst die Adresse des Koordinators und Ihren Einladungscode ein.',
  'refusal.noConsortiumModel': () =>
    'Das Modell des Verbunds ist noch nicht da: einmal synchronisieren, dann erneut vergleichen.',
  'refusal.consortiumModelOutdated': () =>
    'Das Modell des Verbunds ist für eine andere App-Version: App aktualisieren, dann erneut synchronisieren.',
  'refusal.syncRunning': () => 'Eine Synchronisierung läuft bereits.',
  'refusal.syncFailed': ({ retryable }) =>
    retryable
      ? 'Der Verbund war nicht erreichbar. Die App versucht es selbst erneut.'
      : 'Der Verbund hat die Anfrage abgelehnt.',

  'input.required': () => 'Bitte ausfüllen.',
  'input.tooShort': ({ minimum }, f) => `Mindestens ${f.number(minimum)} Zeichen.`,
  'input.tooLong': ({ maximum }, f) => `Höchstens ${f.number(maximum)} Zeichen.`,
  'input.tooSmall': ({ minimum }, f) => `Mindestens ${f.number(minimum)}.`,
  'input.tooLarge': ({ maximum }, f) => `Höchstens ${f.number(maximum)}.`,
  'input.url': () => 'Eine Adresse wie https://verbund.example.org.',
  'input.format': () => 'Das ist nicht in der erwarteten Form geschrieben.',
  'input.invalid': () => 'Dieser Wert wird hier nicht angenommen.',
};

/** YYYY-MM-DD as German spreadsheets name it: JJJJ-MM-TT. */
function germanFormat(format: string): string {
  return format.toUpperCase().replace(/D/g, 'T').replace(/Y/g, 'J');
}
