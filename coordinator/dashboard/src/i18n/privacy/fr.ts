import type { PrivacyWords } from './en.ts';

const boulangeries = (n: number | null): string =>
  n === null ? 'des boulangeries restantes' : `de ${n} ${n === 1 ? 'boulangerie' : 'boulangeries'}`;

export const privacyFr: PrivacyWords = {
  explain: {
    epsilon:
      'ε (epsilon) mesure ce que les modèles publiés pourraient révéler d’une boulangerie : plus petit est meilleur ; autour de 1 c’est fort, au-delà de 10 la promesse formelle est faible.',
    delta:
      'δ est la petite probabilité que la promesse ε ne tienne pas ; gardez-la bien en dessous de 1 ÷ le nombre de boulangeries.',
    clip: 'Borne C : la plus grande modification que la mise à jour d’une boulangerie peut apporter au modèle commun ; les plus longues sont réduites, ainsi aucune ne pèse plus.',
    noise:
      'Facteur de bruit z : un bruit aléatoire de z × C est ajouté à la somme des mises à jour ; plus de bruit cache davantage et coûte un peu de précision, 0 veut dire sans bruit ni garantie formelle.',
    threshold:
      'Seuil t : combien de boulangeries doivent rester jusqu’au bout avant que la somme puisse être démasquée ; moins, même avec le coordinateur, ne peuvent lire la mise à jour d’une boulangerie.',
    colluders:
      'Complices c : combien de boulangeries la manche suppose secrètement alliées au coordinateur ; masques et bruit sont dimensionnés pour tenir même alors.',
    budget:
      'Budget total : l’ε que le consortium peut dépenser sur toutes les manches ; tant qu’il est fixé, aucune manche sans bruit ne s’ouvre, et si la prochaine manche le dépassait, les manches s’arrêtent jusqu’à ce que l’opérateur le relève.',
    mode: 'Agrégation : les manches sécurisées ne montrent au coordinateur que la somme masquée des mises à jour ; les manches simples lui montrent la mise à jour de chaque boulangerie.',
  },
  terms: {
    epsilon: 'Confidentialité dépensée (ε)',
    delta: 'δ',
    clip: 'Borne C',
    noise: 'Facteur de bruit z',
    threshold: 'Seuil t',
    colluders: 'Complices c',
    budget: 'Budget total (ε)',
    mode: 'Agrégation',
  },
  modes: {
    plain: 'simple (chaque mise à jour lisible)',
    secure: 'sécurisée (somme masquée seulement)',
  },

  round: {
    plainRunning:
      'Manche simple : chaque boulangerie participante envoie sa mise à jour bornée sans masque ni bruit, et le coordinateur la lit.',
    plainNothing: 'Manche simple : aucune mise à jour n’a atteint le coordinateur.',
    plainRead: (summed) =>
      `Manche simple : le coordinateur a lu lui-même chacune des mises à jour bornées ${boulangeries(summed)}, sans masque ni bruit.`,
    withNoise: (z) => `avec bruit (facteur de bruit ${z})`,
    withoutNoise:
      'sans bruit, donc la somme elle-même n’a aucune garantie formelle de confidentialité',
    secureRunning: (noise) =>
      `Manche sécurisée : la mise à jour de chaque boulangerie est masquée, ${noise} ; le coordinateur n’a encore vu aucune somme.`,
    secureNothing:
      'Manche sécurisée : elle s’est terminée avant qu’une somme soit démasquée ; le coordinateur n’a vu ni mise à jour ni somme.',
    atLeast: (threshold) => ` (au moins ${threshold} nécessaires pour la démasquer)`,
    secureSum: (summed, threshold, noise) =>
      `Le coordinateur n’a vu que la somme des mises à jour ${boulangeries(summed)}${threshold}, ${noise} ; aucune mise à jour d’une seule boulangerie n’était lisible.`,
    epsilon: (epsilon) => `ε = ${epsilon}`,
    unbounded: 'sans bruit : aucune borne sur ε',
    nothingReleased: 'rien de publié',
    splitAll: 'entre toutes les autres',
    splitNeighbours: (k) => `entre ses ${k} voisines (tirées de la liste)`,
    configuration: (n, c, survivors, split, t) =>
      `Conçue pour les ${n} boulangeries de sa liste signée et un coordinateur complice d’au plus ${c} d’entre elles : au moins ${survivors} devaient envoyer et signer la liste des restantes, et chaque boulangerie a partagé ses secrets ${split}, ${t} parts étant nécessaires pour en reconstruire un.`,
    colludersNone: 'non enregistré',
  },

  budget: {
    title: 'Budget de confidentialité',
    noGuarantee: (rounds) =>
      `Aucune garantie formelle : ${rounds} ${rounds === 1 ? 'manche a' : 'manches ont'} publié un résultat sans bruit (une manche simple, où le coordinateur lit chaque mise à jour, ou un facteur de bruit de 0), donc epsilon n’est pas borné. Les modèles publiés peuvent trahir des indices sur les ventes d’une boulangerie. Pour une borne, utilisez des manches sécurisées avec un facteur de bruit supérieur à 0 dans Réglages.`,
    nothingYet: 'Aucun budget de confidentialité dépensé : aucune manche n’a publié de résultat.',
    noLimit:
      ' Aucun budget total n’est fixé : les manches ne s’arrêtent jamais pour la confidentialité.',
    usedUp: (budget) => ` Le budget total de ε = ${budget} est épuisé.`,
    share: (percent, budget) => ` ${percent} % du budget total de ε = ${budget} sont dépensés.`,
    strong: (e, rounds) =>
      `Forte : ε = ${e} après ${rounds} manches. Les modèles ne révèlent presque rien d’une boulangerie.`,
    moderate: (e, rounds) =>
      `Moyenne : ε = ${e} après ${rounds} manches. Un observateur curieux des modèles apprend peu sur une boulangerie, mais pas rien.`,
    weak: (e, rounds) =>
      `Faible : ε = ${e} après ${rounds} manches. Avec peu de boulangeries et des manches chaque nuit, la garantie s’est amincie ; les modèles peuvent refléter des habitudes de boulangeries précises.`,
    veryWeak: (e, rounds) =>
      `Très faible : ε = ${e} après ${rounds} manches. À ce niveau la garantie formelle veut dire peu — l’agrégation sécurisée cache toujours chaque envoi au coordinateur, mais les modèles publiés pourraient trahir des indices sur les ventes d’une boulangerie. Augmentez le bruit, espacez les manches ou fixez un budget.`,
    spent: (epsilon, delta) => `Dépensé ε = ${epsilon} à δ = ${delta}`,
    lastRound: (epsilon) => ` ; la dernière manche seule : ε = ${epsilon}`,
    total: (budget) => ` ; budget total ε = ${budget}`,
    chartSpent: 'ε dépensé au total',
    chartBudget: 'Budget',
    accountant:
      'Compté avec le comptable de Rényi du bruit gaussien discret distribué qu’ajoutent les boulangeries, sur chaque manche qui a publié un résultat.',
  },

  refusal: {
    notMasked: 'elle n’était pas masquée (manche simple)',
    noiseTooLow: (noise, minimum) => `bruit ${noise} sous son minimum de ${minimum}`,
    tooFewShops: (shops, minimum) =>
      `${shops} boulangeries dans la manche, elle en veut au moins ${minimum}`,
    thresholdTooLow: (threshold, shops, minimum) =>
      `seuil ${threshold} sur ${shops} boulangeries, elle exige au moins ${minimum}`,
    epsilonUnbounded: (limit) =>
      `la manche n’a pas de bruit, sa perte de confidentialité n’est pas bornée (sa limite : ε ${limit} par an)`,
    epsilonOver: (epsilon, limit) =>
      `elle porterait son ε sur la dernière année à ${epsilon}, au-delà de sa limite de ${limit}`,
  },

  noFiguresSent:
    'Pas encore de chiffres. Les boulangeries n’envoient aucun chiffre de précision propre (l’erreur d’une boulangerie montrerait au coordinateur comment elle vend) : les chiffres du consortium pour un modèle n’arrivent que comme total bruité dans la somme masquée de la prochaine manche sécurisée.',
  plainWarning:
    'Les manches simples montrent au coordinateur la mise à jour bornée de chaque boulangerie, sans masque ni bruit : aucune garantie de confidentialité. Les boulangeries avec la politique par défaut les sautent, et aucune ne s’ouvre tant qu’un budget de confidentialité est fixé.',
};
