import { en as words } from '../en.ts';
import type { Catalogue } from './catalogue.ts';

const fields = { baked: 'Baked', sold: 'Sold', wasted: 'Wasted' };

/** A column by the name the import screen gives it. */
const col = (column: keyof typeof words.import.columns) => words.import.columns[column];

export const en: Catalogue = {
  'forecast.weekday': ({ weekday, effect }, f) =>
    `${f.weekdays('long')[weekday]}: ${f.signedPercent(effect)} against an average day`,
  'forecast.holiday': ({ effect }, f) => `Public holiday: ${f.signedPercent(effect)}`,
  'forecast.holidaySoon': ({ effect }, f) =>
    `Public holiday within two days: ${f.signedPercent(effect)}`,
  'forecast.weatherWarm': ({ effect }, f) => `Warm weather: ${f.signedPercent(effect)}`,
  'forecast.weatherCold': ({ effect }, f) => `Cold weather: ${f.signedPercent(effect)}`,
  'forecast.rain': ({ effect }, f) => `Rain: ${f.signedPercent(effect)}`,
  'forecast.trendUp': ({ effect }, f) =>
    `Recent days above the usual level: ${f.signedPercent(effect)}`,
  'forecast.trendDown': ({ effect }, f) =>
    `Recent days below the usual level: ${f.signedPercent(effect)}`,
  'forecast.defaultRatio': ({ ratio }, f) =>
    `No price or cost yet: bakes for a ${f.percent(ratio)} chance of not selling out`,
  'forecast.parLevel': ({ par }, f) => `Raised to your minimum bake of ${f.number(par)}`,
  'forecast.historyTooShort': ({ historyDays, minimumDays, model }, f) =>
    `Only ${f.number(historyDays)} days of sales so far: this forecast leans on the ${model === 'consortium' ? 'consortium’s' : 'general'} model until ${f.number(minimumDays)} days are entered.`,
  'forecast.carriedOver': ({ units }, f) =>
    `${f.number(units)} still sellable from earlier days: baked that many fewer`,

  'entry.notANumber': ({ field }) => `${fields[field]} must be a number.`,
  'entry.negative': ({ field }) => `${fields[field]} cannot be negative.`,
  'entry.notWhole': ({ field }) => `${fields[field]} must be a whole number.`,
  'entry.tooLarge': ({ field, max }, f) =>
    `${fields[field]} looks too large (at most ${f.number(max)}).`,
  'entry.moreThanStock': ({ sold, wasted, baked, carriedOver }, f) => {
    const stock =
      carriedOver > 0
        ? `baked ${f.number(baked)} plus ${f.number(carriedOver)} carried over (${f.number(baked + carriedOver)})`
        : `baked ${f.number(baked)}`;
    return wasted
      ? `Sold ${f.number(sold)} and wasted ${f.number(wasted)} make ${f.number(sold + wasted)}, more than ${stock}.`
      : `Sold ${f.number(sold)} is more than ${stock}.`;
  },
  'entry.badTime': () => 'Give the time as HH:MM, e.g. 14:30.',
  'entry.timeWithoutSoldOut': () => 'A sold-out time needs “sold out” ticked (or clear the time).',
  'entry.reasonWithoutWaste': () => 'Nothing wasted: clear the reason or enter the wasted count.',
  'entry.outcomeWithoutWaste': () => 'Nothing wasted: clear the outcome or enter the wasted count.',

  'import.empty': ({ column }) => `${col(column)} is empty.`,
  'import.notANumber': ({ column, raw, commaDecimal }) =>
    `${col(column)} “${raw}” is not a number${commaDecimal ? ' (use a dot as the decimal separator)' : ''}.`,
  'import.negative': ({ column, raw }) => `${col(column)} cannot be negative (found ${raw}).`,
  'import.notWhole': ({ column, raw }) => `${col(column)} must be a whole number (found ${raw}).`,
  'import.tooLarge': ({ column, raw, max }, f) =>
    `${col(column)} looks too large: at most ${f.number(max)} (found ${raw}).`,
  'import.outOfRange': ({ column, raw, min, max, unit }, f) =>
    `${col(column)} must be between ${f.number(min)} and ${f.number(max)}${unit ? ` ${unit}` : ''} (found ${raw}).`,
  'import.notFlag': ({ column, raw }) => `${col(column)} “${raw}” is not 0/1 (or yes/no).`,
  'import.notOneOf': ({ column, raw, options }) =>
    `${col(column)} “${raw}” is not one of ${options.join(', ')}.`,
  'import.dateFormat': ({ raw, format }) =>
    `The date “${raw}” is not written as ${format.toUpperCase()}.`,
  'import.ambiguousDates': ({ example, formats }) =>
    `Dates such as ${example} can be read as ${formats.map((f) => f.toUpperCase()).join(' or ')}: choose how this file writes dates.`,
  'import.dateNotInCalendar': ({ date }) => `The date ${date} does not exist in the calendar.`,
  'import.productTooLong': ({ max }, f) =>
    `The product name is longer than ${f.number(max)} characters.`,
  'import.shelfLifeRange': ({ days }, f) =>
    `Shelf life must be between 1 and 60 days (found ${f.number(days)}).`,
  'import.badTime': ({ raw }) => `The sold-out time “${raw}” is not written as HH:MM.`,
  'import.noteTooLong': ({ length, max }, f) =>
    `The note is longer than ${f.number(max)} characters (${f.number(length)}).`,
  'import.mappedColumnMissing': ({ header, column }) =>
    `The column “${header}” chosen for ${col(column)} is not in the header row.`,
  'import.headerTwice': ({ header }) => `The column “${header}” appears twice in the header row.`,
  'import.requiredMissing': ({ column }) =>
    `The column for ${col(column)} is missing: choose which of the file’s columns holds it.`,
  'import.fileTooLarge': ({ bytes, maxBytes }, f) =>
    `The file is ${f.bytes(bytes)}; at most ${f.bytes(maxBytes)} can be imported at once. Split it, e.g. by year.`,
  'import.utf16': () =>
    'The file is saved as UTF-16 (Unicode); save it as “CSV UTF-8” and import it again.',
  'import.nulCharacters': ({ line }, f) =>
    `Line ${f.number(line)} holds NUL characters: the file looks like UTF-16; save it as “CSV UTF-8”.`,
  'import.notUtf8': ({ line }, f) =>
    `Line ${f.number(line)} is not valid UTF-8 text (the file may be saved as Windows-1252); save it as “CSV UTF-8”.`,
  'import.fieldCount': ({ fields, headerFields }, f) =>
    `This line has ${f.number(fields)} fields, the header row ${f.number(headerFields)}.`,
  'import.duplicate': ({ product, date, firstLine }, f) =>
    `${product} on ${f.date(date)} appears twice (first on line ${f.number(firstLine)}).`,
  'import.quoteNotClosed': ({ line }, f) =>
    `A quoted field opens and never closes (found at line ${f.number(line)}): check the quotes.`,
  'import.notCsv': ({ line }, f) => `The file is not valid CSV near line ${f.number(line)}.`,
  'import.emptyFile': () => 'The file is empty.',
  'import.noStoreColumn': () => 'A store was chosen but the file has no store column.',
  'import.storeNotInFile': ({ store, stores }) =>
    `The file holds no lines of store “${store}” (stores: ${stores.join(', ')}).`,
  'import.manyStores': ({ count, stores }, f) =>
    `The file holds ${f.number(count)} stores (${stores.join(', ')}): choose the one to import.`,
  'import.headerOnly': () => 'The file has a header row but no data lines.',
  'import.categoryConflict': ({ product, here, there, line }, f) =>
    `${product} is “${here}” here but “${there}” on line ${f.number(line)}.`,
  'import.shelfLifeConflict': ({ product, here, there, line }, f) =>
    `${product} keeps ${f.number(here)} days here but ${f.number(there)} on line ${f.number(line)}.`,
  'import.refused': ({ problems }, f) =>
    problems === 1
      ? 'The file was not imported: 1 line has a problem.'
      : `The file was not imported: ${f.number(problems)} problems.`,
  'import.nothingToImport': () => 'The file holds nothing to import.',
  'import.staleHistory': ({ newestDate, days, windowDays }, f) =>
    `The newest day in this file is ${f.date(newestDate)}, ${f.number(days)} days ago. The forecast still learns each product’s weekdays, seasons and holidays from it, but not how sales went since: ` +
    (days > windowDays
      ? `no product can be forecast for tomorrow until sales from the last ${f.number(windowDays)} days are entered.`
      : `tomorrow’s forecast rests on sales up to ${f.date(newestDate)}; enter the days since to bring it up to date.`),

  'refusal.invalidRequest': ({ field }) =>
    field
      ? `The app sent something the bakery’s data cannot take (${field}).`
      : 'The app sent something the bakery’s data cannot take.',
  'refusal.unknownRegion': ({ region }) =>
    `The holiday calendar does not know the region ${region}.`,
  'refusal.unknownTimeZone': ({ zone }) => `The app does not know the time zone ${zone}.`,
  'refusal.backupNewer': ({ name }) =>
    `${name} was made by a newer Breadcast: update the app first.`,
  'refusal.notABackup': ({ name }) => `${name} is not a Breadcast backup of a bakery.`,
  'refusal.backupUnreadable': ({ name }) => `${name} cannot be read, so it cannot be restored.`,
  'refusal.noSuchBackup': ({ name }) => `There is no backup called ${name}.`,
  'refusal.restoreFailed': ({ name }) =>
    `Restoring ${name} did not work; the data is as it was before.`,
  'refusal.noSuchProduct': () => 'This product does not exist (any more).',
  'refusal.productNameTaken': ({ name, inactive }) =>
    inactive
      ? `There is already a product called “${name}”, deactivated: reactivate it instead.`
      : `There is already a product called “${name}”.`,
  'refusal.noModel': () =>
    'There is no forecast yet: press “Train now” once a few weeks of sales are entered.',
  'refusal.noSalesForProduct': () => 'No sales are entered for this product yet.',
  'refusal.nothingToBacktest': () => 'No sales are entered yet, so there is nothing to replay.',
  'refusal.backtestFailed': () => 'The replay of past weeks did not work this time.',
  'refusal.trainingRunning': () => 'The model is already learning; wait until it has finished.',
  'refusal.nothingToCompare': () => 'No sales are entered yet, so there is nothing to compare.',
  'refusal.tooLittleHistoryToCompare': ({ from, minimumDays }, f) =>
    `Too little history before ${f.date(from)}: a product needs ${f.number(minimumDays)} open days entered before the days compared.`,
  'refusal.noDaysToCompare': ({ from }, f) =>
    `There are no open days with sales to compare since ${f.date(from)}.`,
  'refusal.comparisonRunning': () => 'The comparison is already running.',
  'refusal.notEnrolled': () =>
    'This bakery has not joined a consortium yet: enter the coordinator’s address and your invite code first.',
  'refusal.noConsortiumModel': () =>
    'The consortium’s model has not arrived yet: sync once, then compare again.',
  'refusal.consortiumModelOutdated': () =>
    'The consortium’s model was made for another version of the app: update the app, then sync again.',
  'refusal.syncRunning': () => 'A sync is already running.',
  'refusal.syncFailed': ({ retryable }) =>
    retryable
      ? 'The consortium could not be reached. The app tries again by itself.'
      : 'The consortium turned the request down.',

  'input.required': () => 'Please fill this in.',
  'input.tooShort': ({ minimum }, f) => `At least ${f.number(minimum)} characters.`,
  'input.tooLong': ({ maximum }, f) => `At most ${f.number(maximum)} characters.`,
  'input.tooSmall': ({ minimum }, f) => `At least ${f.number(minimum)}.`,
  'input.tooLarge': ({ maximum }, f) => `At most ${f.number(maximum)}.`,
  'input.url': () => 'An address such as https://consortium.example.org.',
  'input.format': () => 'This is not written the way it is expected.',
  'input.invalid': () => 'This value is not accepted here.',
};
