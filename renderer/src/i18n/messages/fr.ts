import { fr as words } from '../fr.ts';
import type { Catalogue } from './catalogue.ts';

const fields = { baked: 'Cuit', sold: 'Vendu', wasted: 'Jeté' };

/** A column by the name the import screen gives it. */
const col = (column: keyof typeof words.import.columns) => `« ${words.import.columns[column]} »`;

export const fr: Catalogue = {
  'forecast.weekday': ({ weekday, effect }, f) =>
    `${f.weekdays('long')[weekday]} : ${f.signedPercent(effect)} par rapport à un jour moyen`,
  'forecast.holiday': ({ effect }, f) => `Jour férié : ${f.signedPercent(effect)}`,
  'forecast.holidaySoon': ({ effect }, f) =>
    `Jour férié dans les deux jours : ${f.signedPercent(effect)}`,
  'forecast.weatherWarm': ({ effect }, f) => `Temps chaud : ${f.signedPercent(effect)}`,
  'forecast.weatherCold': ({ effect }, f) => `Temps froid : ${f.signedPercent(effect)}`,
  'forecast.rain': ({ effect }, f) => `Pluie : ${f.signedPercent(effect)}`,
  'forecast.trendUp': ({ effect }, f) =>
    `Derniers jours au-dessus du niveau habituel : ${f.signedPercent(effect)}`,
  'forecast.trendDown': ({ effect }, f) =>
    `Derniers jours en dessous du niveau habituel : ${f.signedPercent(effect)}`,
  'forecast.defaultRatio': ({ ratio }, f) =>
    `Pas encore de prix ni de coût : cuisson pour ${f.percent(ratio)} de chances de ne pas être en rupture`,
  'forecast.parLevel': ({ par }, f) => `Relevé à votre minimum de ${f.number(par)}`,
  'forecast.historyTooShort': ({ historyDays, minimumDays, model }, f) =>
    `Seulement ${f.number(historyDays)} jours de ventes : cette prévision s’appuie sur le modèle ${model === 'consortium' ? 'commun du consortium' : 'général'} jusqu’à ${f.number(minimumDays)} jours saisis.`,
  'forecast.carriedOver': ({ units }, f) =>
    `${f.number(units)} encore vendables des jours précédents : cuit d’autant moins`,

  'entry.notANumber': ({ field }) => `${fields[field]} doit être un nombre.`,
  'entry.negative': ({ field }) => `${fields[field]} ne peut pas être négatif.`,
  'entry.notWhole': ({ field }) => `${fields[field]} doit être un nombre entier.`,
  'entry.tooLarge': ({ field, max }, f) =>
    `${fields[field]} semble trop grand (au plus ${f.number(max)}).`,
  'entry.moreThanStock': ({ sold, wasted, baked, carriedOver }, f) => {
    const stock =
      carriedOver > 0
        ? `${f.number(baked)} cuits plus ${f.number(carriedOver)} reportés (${f.number(baked + carriedOver)})`
        : `${f.number(baked)} cuits`;
    return wasted
      ? `${f.number(sold)} vendus et ${f.number(wasted)} jetés font ${f.number(sold + wasted)}, plus que ${stock}.`
      : `${f.number(sold)} vendus, c’est plus que ${stock}.`;
  },
  'entry.badTime': () => 'Indiquez l’heure au format HH:MM, par ex. 14:30.',
  'entry.timeWithoutSoldOut': () =>
    'Une heure de rupture demande de cocher « épuisé » (ou effacez l’heure).',
  'entry.reasonWithoutWaste': () =>
    'Rien de jeté : effacez le motif ou saisissez la quantité jetée.',
  'entry.outcomeWithoutWaste': () =>
    'Rien de jeté : effacez le devenir ou saisissez la quantité jetée.',

  'import.empty': ({ column }) => `${col(column)} est vide.`,
  'import.notANumber': ({ column, raw, commaDecimal }) =>
    `${col(column)} « ${raw} » n’est pas un nombre${commaDecimal ? ' (utilisez un point comme séparateur décimal)' : ''}.`,
  'import.negative': ({ column, raw }) =>
    `${col(column)} ne peut pas être négatif (trouvé : ${raw}).`,
  'import.notWhole': ({ column, raw }) =>
    `${col(column)} doit être un nombre entier (trouvé : ${raw}).`,
  'import.tooLarge': ({ column, raw, max }, f) =>
    `${col(column)} semble trop grand : au plus ${f.number(max)} (trouvé : ${raw}).`,
  'import.outOfRange': ({ column, raw, min, max, unit }, f) =>
    `${col(column)} doit être entre ${f.number(min)} et ${f.number(max)}${unit ? ` ${unit}` : ''} (trouvé : ${raw}).`,
  'import.notFlag': ({ column, raw }) => `${col(column)} « ${raw} » n’est pas 0/1 (ou oui/non).`,
  'import.notOneOf': ({ column, raw, options }) =>
    `${col(column)} « ${raw} » n’est pas l’une des valeurs ${options.join(', ')}.`,
  'import.dateFormat': ({ raw, format }) =>
    `La date « ${raw} » n’est pas écrite ${frenchFormat(format)}.`,
  'import.ambiguousDates': ({ example, formats }) =>
    `Des dates comme ${example} se lisent ${formats.map(frenchFormat).join(' ou ')} : choisissez comment ce fichier écrit les dates.`,
  'import.dateNotInCalendar': ({ date }) => `La date ${date} n’existe pas dans le calendrier.`,
  'import.productTooLong': ({ max }, f) => `Le nom du produit dépasse ${f.number(max)} caractères.`,
  'import.shelfLifeRange': ({ days }, f) =>
    `La conservation doit être entre 1 et 60 jours (trouvé : ${f.number(days)}).`,
  'import.badTime': ({ raw }) => `L’heure de rupture « ${raw} » n’est pas écrite HH:MM.`,
  'import.noteTooLong': ({ length, max }, f) =>
    `La note dépasse ${f.number(max)} caractères (${f.number(length)}).`,
  'import.mappedColumnMissing': ({ header, column }) =>
    `La colonne « ${header} » choisie pour ${col(column)} n’est pas dans la ligne d’en-tête.`,
  'import.headerTwice': ({ header }) =>
    `La colonne « ${header} » apparaît deux fois dans la ligne d’en-tête.`,
  'import.requiredMissing': ({ column }) =>
    `La colonne pour ${col(column)} manque : choisissez quelle colonne du fichier la contient.`,
  'import.fileTooLarge': ({ bytes, maxBytes }, f) =>
    `Le fichier fait ${f.bytes(bytes)} ; au plus ${f.bytes(maxBytes)} peuvent être importés à la fois. Découpez-le, par ex. par année.`,
  'import.utf16': () =>
    'Le fichier est enregistré en UTF-16 (Unicode) ; enregistrez-le en « CSV UTF-8 » et importez-le à nouveau.',
  'import.nulCharacters': ({ line }, f) =>
    `La ligne ${f.number(line)} contient des caractères NUL : le fichier semble être en UTF-16 ; enregistrez-le en « CSV UTF-8 ».`,
  'import.notUtf8': ({ line }, f) =>
    `La ligne ${f.number(line)} n’est pas du texte UTF-8 valide (le fichier est peut-être en Windows-1252) ; enregistrez-le en « CSV UTF-8 ».`,
  'import.fieldCount': ({ fields, headerFields }, f) =>
    `Cette ligne a ${f.number(fields)} champs, la ligne d’en-tête ${f.number(headerFields)}.`,
  'import.duplicate': ({ product, date, firstLine }, f) =>
    `${product} le ${f.date(date)} apparaît deux fois (d’abord à la ligne ${f.number(firstLine)}).`,
  'import.quoteNotClosed': ({ line }, f) =>
    `Un champ entre guillemets n’est jamais fermé (trouvé à la ligne ${f.number(line)}) : vérifiez les guillemets.`,
  'import.notCsv': ({ line }, f) =>
    `Le fichier n’est pas un CSV valide vers la ligne ${f.number(line)}.`,
  'import.emptyFile': () => 'Le fichier est vide.',
  'import.noStoreColumn': () =>
    'Un magasin a été choisi mais le fichier n’a pas de colonne magasin.',
  'import.storeNotInFile': ({ store, stores }) =>
    `Le fichier ne contient aucune ligne du magasin « ${store} » (magasins : ${stores.join(', ')}).`,
  'import.manyStores': ({ count, stores }, f) =>
    `Le fichier contient ${f.number(count)} magasins (${stores.join(', ')}) : choisissez celui à importer.`,
  'import.headerOnly': () => 'Le fichier a une ligne d’en-tête mais aucune ligne de données.',
  'import.categoryConflict': ({ product, here, there, line }, f) =>
    `${product} est « ${here} » ici mais « ${there} » à la ligne ${f.number(line)}.`,
  'import.shelfLifeConflict': ({ product, here, there, line }, f) =>
    `${product} se garde ${f.number(here)} jours ici mais ${f.number(there)} à la ligne ${f.number(line)}.`,
  'import.refused': ({ problems }, f) =>
    problems === 1
      ? 'Le fichier n’a pas été importé : 1 ligne pose problème.'
      : `Le fichier n’a pas été importé : ${f.number(problems)} problèmes.`,
  'import.nothingToImport': () => 'Le fichier ne contient rien à importer.',
  'import.staleHistory': ({ newestDate, days, windowDays }, f) =>
    `Le jour le plus récent de ce fichier est le ${f.date(newestDate)}, il y a ${f.number(days)} jours. La prévision en apprend les jours de la semaine, les saisons et les fêtes de chaque produit, mais pas l’évolution des ventes depuis : ` +
    (days > windowDays
      ? `aucun produit ne peut être prévu pour demain tant que les ventes des ${f.number(windowDays)} derniers jours ne sont pas saisies.`
      : `la prévision de demain repose sur les ventes jusqu’au ${f.date(newestDate)} ; saisissez les jours depuis.`),

  'refusal.invalidRequest': ({ field }) =>
    field
      ? `L’application a envoyé quelque chose que les données de la boulangerie n’acceptent pas (${field}).`
      : 'L’application a envoyé quelque chose que les données de la boulangerie n’acceptent pas.',
  'refusal.unknownRegion': ({ region }) =>
    `Le calendrier des jours fériés ne connaît pas la région ${region}.`,
  'refusal.unknownTimeZone': ({ zone }) =>
    `L’application ne connaît pas le fuseau horaire ${zone}.`,
  'refusal.backupNewer': ({ name }) =>
    `${name} vient d’une version plus récente de Breadcast : mettez d’abord l’application à jour.`,
  'refusal.notABackup': ({ name }) =>
    `${name} n’est pas une sauvegarde Breadcast d’une boulangerie.`,
  'refusal.backupUnreadable': ({ name }) =>
    `${name} est illisible et ne peut donc pas être restaurée.`,
  'refusal.noSuchBackup': ({ name }) => `Il n’y a pas de sauvegarde nommée ${name}.`,
  'refusal.restoreFailed': ({ name }) =>
    `La restauration de ${name} n’a pas abouti ; les données sont comme avant.`,
  'refusal.noSuchProduct': () => 'Ce produit n’existe pas (ou plus).',
  'refusal.productNameTaken': ({ name, inactive }) =>
    inactive
      ? `Il existe déjà un produit désactivé « ${name} » : réactivez-le plutôt.`
      : `Il existe déjà un produit « ${name} ».`,
  'refusal.noModel': () =>
    'Pas encore de prévision : appuyez sur « Entraîner maintenant » dès que quelques semaines de ventes sont saisies.',
  'refusal.noSalesForProduct': () => 'Aucune vente n’est encore saisie pour ce produit.',
  'refusal.nothingToBacktest': () =>
    'Aucune vente n’est encore saisie, il n’y a donc rien à rejouer.',
  'refusal.backtestFailed': () => 'Le rejeu des semaines passées n’a pas abouti cette fois.',
  'refusal.trainingRunning': () =>
    'Le modèle est déjà en train d’apprendre ; attendez qu’il ait fini.',
  'refusal.nothingToCompare': () =>
    'Aucune vente n’est encore saisie, il n’y a donc rien à comparer.',
  'refusal.tooLittleHistoryToCompare': ({ from, minimumDays }, f) =>
    `Trop peu d’historique avant le ${f.date(from)} : un produit a besoin de ${f.number(minimumDays)} jours d’ouverture saisis avant les jours comparés.`,
  'refusal.noDaysToCompare': ({ from }, f) =>
    `Aucun jour d’ouverture avec des ventes à comparer depuis le ${f.date(from)}.`,
  'refusal.comparisonRunning': () => 'La comparaison est déjà en cours.',
  'refusal.notEnrolled': () =>
    'Cette boulangerie n’a pas encore rejoint de consortium : saisissez d’abord l’adresse du coordinateur et votre code d’invitation.',
  'refusal.noConsortiumModel': () =>
    'Le modèle du consortium n’est pas encore arrivé : synchronisez une fois, puis comparez à nouveau.',
  'refusal.consortiumModelOutdated': () =>
    'Le modèle du consortium a été fait pour une autre version de l’application : mettez-la à jour, puis synchronisez à nouveau.',
  'refusal.syncRunning': () => 'Une synchronisation est déjà en cours.',
  'refusal.syncFailed': ({ retryable }) =>
    retryable
      ? 'Le consortium est injoignable. L’application réessaiera d’elle-même.'
      : 'Le consortium a refusé la demande.',

  'input.required': () => 'Veuillez remplir ce champ.',
  'input.tooShort': ({ minimum }, f) => `Au moins ${f.number(minimum)} caractères.`,
  'input.tooLong': ({ maximum }, f) => `Au plus ${f.number(maximum)} caractères.`,
  'input.tooSmall': ({ minimum }, f) => `Au moins ${f.number(minimum)}.`,
  'input.tooLarge': ({ maximum }, f) => `Au plus ${f.number(maximum)}.`,
  'input.url': () => 'Une adresse comme https://consortium.example.org.',
  'input.format': () => 'Ce n’est pas écrit sous la forme attendue.',
  'input.invalid': () => 'Cette valeur n’est pas acceptée ici.',
};

/** YYYY-MM-DD as French spreadsheets name it: AAAA-MM-JJ. */
function frenchFormat(format: string): string {
  return format.toUpperCase().replace(/D/g, 'J').replace(/Y/g, 'A');
}
