import type { PrivacyWords } from './en.ts';

export const privacyFr: PrivacyWords = {
  explain: {
    epsilon:
      'ε (epsilon) mesure ce que les modèles partagés pourraient révéler sur cette boulangerie : plus il est petit, mieux c’est ; au-delà d’environ 10, la promesse formelle est faible.',
    clip: 'Borne : la plus grande modification que la mise à jour d’une boulangerie peut apporter au modèle partagé ; aucune boulangerie ne pèse davantage.',
    noise:
      'Bruit : des nombres aléatoires ajoutés aux mises à jour, en multiple de la borne ; plus de bruit cache davantage et coûte un peu de précision.',
    threshold:
      'Seuil : combien de boulangeries d’un tour doivent aider avant que la somme puisse être démasquée ; en dessous, même avec le coordinateur, personne ne peut lire la mise à jour d’une boulangerie.',
  },
  terms: { epsilon: 'ε', clip: 'Borne', noise: 'Bruit', threshold: 'Seuil' },

  round: {
    title: (round) => `Tour ${round}`,
    skipped: (round, reasons) => `Le tour ${round} a été ignoré : ${reasons}.`,
    keysOnly:
      'Seules les clés de ce tour avaient été envoyées ; rien de tiré des données de cette boulangerie.',
    maskedNoised: (shops) =>
      `Le coordinateur n’a vu que la somme des mises à jour de ${shops} boulangeries, avec du bruit ; aucune mise à jour individuelle n’était lisible.`,
    maskedNoisedAtLeast: (threshold) =>
      `La mise à jour de cette boulangerie était masquée et bruitée : le coordinateur ne pouvait la voir que dans une somme d’au moins ${threshold} boulangeries ; aucune mise à jour individuelle n’était lisible.`,
    maskedNoiseless: (shops) =>
      `Le coordinateur n’a vu que la somme des mises à jour de ${shops} boulangeries, sans bruit : aucune mise à jour individuelle n’était lisible, mais la somme n’a aucune garantie formelle de confidentialité.`,
    maskedNoiselessAtLeast: (threshold) =>
      `La mise à jour de cette boulangerie était masquée, sans bruit : le coordinateur ne pouvait la voir que dans une somme d’au moins ${threshold} boulangeries, et cette somme n’a aucune garantie formelle de confidentialité.`,
    colluders: (colluders, shops, threshold) =>
      `Cette boulangerie a vérifié le tour : il reste sûr même si jusqu’à ${colluders} des ${shops} boulangeries s’entendent avec le coordinateur, et la somme n’est ouverte que si au moins ${threshold} d’entre elles y participent.`,
    plain:
      'Le coordinateur a reçu la mise à jour de cette boulangerie elle-même (bornée, en clair, sans bruit) : il pouvait la lire.',
    noUpdate:
      'Aucune mise à jour du modèle n’a été envoyée dans ce tour, seulement les messages listés.',
  },
  reasons: {
    notMasked: 'il n’était pas masqué',
    noiseTooLow: (noise, minimum) =>
      `son bruit (${noise}) était inférieur au minimum de cette boulangerie, ${minimum}`,
    tooFewShops: (shops, minimum) =>
      `il comptait ${shops} boulangeries, cette boulangerie en exige au moins ${minimum}`,
    thresholdTooLow: (threshold, shops, minimum) =>
      `son seuil était de ${threshold} sur ${shops} boulangeries, cette boulangerie exige au moins ${minimum}`,
    epsilonUnbounded: (limit) =>
      `il aurait laissé cette boulangerie sans aucune borne de confidentialité, au-delà de sa limite de ε = ${limit} par an`,
    epsilonOver: (epsilon, limit) =>
      `il aurait porté l’ε de cette boulangerie sur les 12 derniers mois à ${epsilon}, au-delà de sa limite de ${limit}`,
    and: ' ; ',
  },

  policy: {
    maskedOnly: (noise, shops) =>
      `Cette application ne participe qu’aux tours masqués (agrégation sécurisée), avec un bruit d’au moins ${noise}, entre au moins ${shops} boulangeries, dont plus des deux tiers sont nécessaires pour démasquer la somme.`,
    alsoPlain: (noise, shops) =>
      `Cette application participe aussi aux tours simples, où le coordinateur reçoit la mise à jour de cette boulangerie non masquée et sans bruit et pourrait la lire. Les tours masqués exigent un bruit d’au moins ${noise} et au moins ${shops} boulangeries, dont plus des deux tiers nécessaires pour démasquer la somme.`,
    limit: (limit) =>
      `Elle s’arrête avant que l’ε de cette boulangerie sur 12 mois ne dépasse ${limit}.`,
    noLimit: 'Elle ne fixe aucune limite à ε.',
    salesStay:
      'Les chiffres de vente ne quittent jamais cet ordinateur ; chaque message envoyé figure sur l’écran Consortium. Ces règles se règlent dans les Réglages.',
  },
  history: {
    none: 'Aucune mise à jour du modèle envoyée pour l’instant, donc aucun budget de confidentialité dépensé.',
    allNoised: (updates, epsilon, delta) =>
      `${updates} ${updates === 1 ? 'mise à jour envoyée' : 'mises à jour envoyées'}, toutes masquées et bruitées. Budget de confidentialité dépensé : ε = ${epsilon} (δ = ${delta}).`,
    unbounded: (updates, plain, noiseless, since) =>
      `${updates} ${updates === 1 ? 'mise à jour envoyée' : 'mises à jour envoyées'}, dont ${[
        plain
          ? `${plain} ${plain === 1 ? 'simple (lisible' : 'simples (lisibles'} par le coordinateur)`
          : '',
        noiseless ? `${noiseless} ${noiseless === 1 ? 'masquée' : 'masquées'} sans bruit` : '',
      ]
        .filter(Boolean)
        .join(' et ')}. Aucune garantie formelle depuis le ${since}.`,
    meaning: {
      strong:
        'C’est une garantie forte : les modèles partagés ne révèlent presque rien sur cette boulangerie.',
      moderate:
        'Une garantie moyenne : les modèles partagés pourraient suggérer des tendances de cette boulangerie, sans révéler ses chiffres.',
      weak: 'Une garantie faible : avec peu de boulangeries et beaucoup de nuits, ε devient grand et le bruit seul protège peu.',
    },
  },

  summary: {
    title: 'Ce que cette boulangerie envoie',
    change: 'Modifier ces règles',
  },

  settings: {
    title: 'Règles de confidentialité',
    lead: 'Ce que cette boulangerie envoie au consortium. L’application vérifie chaque tour selon ces règles avant d’envoyer quoi que ce soit ; le coordinateur ne peut pas les modifier.',
    allowPlain: 'Participer aussi aux tours simples',
    allowPlainHint:
      'Dans un tour simple, le coordinateur reçoit la mise à jour de cette boulangerie non masquée et sans bruit, et pourrait la lire.',
    minNoise: 'Bruit minimal accepté',
    minShops: 'Nombre minimal de boulangeries par tour',
    minShopsHint:
      'Compté sur la liste signée par chaque boulangerie pour le tour, pas sur la parole du coordinateur. À deux, chacune pourrait déduire la mise à jour de l’autre à partir de la somme.',
    epsilonLimit: 'Limite d’ε sur 12 mois',
    noLimit: 'Pas de limite',
    thresholdRule:
      'Toujours : plus des deux tiers des boulangeries d’un tour doivent être nécessaires pour démasquer la somme.',
    spentYear: (epsilon) => `Dépensé sur les 12 derniers mois : ε = ${epsilon}.`,
    spentYearUnbounded:
      'Au cours des 12 derniers mois, une mise à jour est partie sans bruit : aucune garantie formelle, donc toute limite empêche cette boulangerie de participer jusqu’à ce que cette mise à jour ait un an.',
    isDefault: 'par défaut',
    defaults: 'Revenir aux valeurs par défaut',
    saved:
      'Règles de confidentialité enregistrées ; elles s’appliquent dès le prochain message que l’application enverrait.',
  },

  ledger: {
    title: 'Ce qui a quitté cette boulangerie',
    lead: 'Chaque requête envoyée par cette application au coordinateur, tour par tour : sa taille et une empreinte (hash) exacte de ce qui a été envoyé, notée avant l’envoi.',
    totals: (messages, bytes) => `${messages} message${messages === 1 ? '' : 's'}, ${bytes}`,
    other: 'Hors tour',
    otherLead:
      'Inscription, vérifications d’état et téléchargements du modèle (chaque vérification d’état ne porte que les en-têtes d’identification : identifiant de la boulangerie, version de l’application, heure).',
    showMessages: 'Afficher les messages',
    more: 'Tours plus anciens',
    nothingSent: 'Rien n’a encore quitté cette boulangerie.',
    sentAt: 'Envoyé',
    kind: 'Quoi',
    size: 'Taille',
    answer: 'Réponse',
    hash: 'Empreinte',
    answers: {
      accepted: 'acceptée',
      refused: 'refusée',
      none: 'pas de réponse (peut être arrivée)',
      pending: 'aucune réponse notée',
    },
    kinds: {
      enrol: 'Inscription',
      status: 'Vérification d’état',
      'round-status': 'État du tour',
      model: 'Téléchargement du modèle',
      checkin: 'Annonce de participation',
      update: 'Mise à jour du modèle, simple',
      advertise: 'Clés du tour',
      shares: 'Parts de clés chiffrées',
      masked: 'Mise à jour masquée du modèle',
      confirm: 'Contrôle des participants',
      unmask: 'Aide au démasquage',
      metrics: 'Résumé de précision',
      refusal: 'Motif de refus',
    },
    describe: {
      update: (numbers, examples, clip) =>
        `${numbers} nombres (la modification du modèle partagé après entraînement sur ${examples} exemples), bornés à ${clip} ; non masqués, sans bruit.`,
      masked: (numbers, clip, noise, threshold, shops) =>
        `${numbers} nombres, bornés à ${clip}, bruit ×${noise}, masqués ; seuil de ${threshold} sur ${shops} boulangeries.`,
      unmask: (survivors, dropped) =>
        `Des parts qui permettent au coordinateur de démasquer la somme de ${survivors} boulangeries (${dropped} parties en route) ; jamais une part qui démasque une seule boulangerie.`,
      confirm: (survivors) =>
        `La signature de cette boulangerie sur la liste des ${survivors} boulangeries dont les mises à jour sont additionnées, pour que le coordinateur ne puisse pas montrer des listes différentes à différentes boulangeries.`,
      shares: (shares) =>
        `Parts de clés pour ${shares} boulangeries, chacune chiffrée pour que seule cette boulangerie puisse la lire.`,
      advertise: 'Deux clés publiques pour ce tour, signées par cette boulangerie.',
      metrics: (version, n) =>
        `La précision de la version ${version} du modèle sur ${n} jours récents × produits : deux chiffres d’erreur, non masqués.`,
      model: (version) => `Version ${version} du modèle demandée.`,
      status: 'Sans contenu : seulement les en-têtes d’identification.',
      refusal: (reasons) => `Pourquoi cette boulangerie a ignoré le tour : ${reasons}.`,
      enrol:
        'Code d’invitation, nom de cette boulangerie, version de l’application et sa clé publique.',
      checkin: 'Que cette boulangerie participe au tour ; rien d’autre.',
    },
  },
};
