import type { PrivacyWords } from './en.ts';

export const privacyDe: PrivacyWords = {
  explain: {
    epsilon:
      'ε (Epsilon) misst, wie viel die veröffentlichten Modelle über eine einzelne Bäckerei verraten könnten: je kleiner, desto besser; um 1 ist stark, über 10 ist das formale Versprechen schwach.',
    delta:
      'δ ist die kleine Wahrscheinlichkeit, dass das ε-Versprechen nicht gilt; halten Sie es deutlich unter 1 ÷ Zahl der Bäckereien.',
    clip: 'Begrenzung C: die größte Änderung, die das Update einer Bäckerei am gemeinsamen Modell machen darf; längere Updates werden gekürzt, so wiegt keine Bäckerei mehr.',
    noise:
      'Rauschfaktor z: Zufallsrauschen von z × C wird der Summe der Updates hinzugefügt; mehr Rauschen verbirgt mehr und kostet etwas Genauigkeit, 0 heißt kein Rauschen und keine formale Garantie.',
    threshold:
      'Schwelle t: wie viele Bäckereien bis zum Ende dabeibleiben müssen, bevor die Summe entschlüsselt werden kann; weniger können, selbst zusammen mit dem Koordinator, das Update einer Bäckerei nicht lesen.',
    colluders:
      'Mitwisser c: wie viele Bäckereien die Runde als heimlich mit dem Koordinator verbündet annimmt; Masken und Rauschen sind so bemessen, dass sie auch dann halten.',
    budget:
      'Gesamtbudget: das ε, das der Verbund über alle Runden verbrauchen darf; solange es gesetzt ist, öffnet keine Runde ohne Rauschen, und würde die nächste Runde es überschreiten, ruhen die Runden, bis der Betreiber es erhöht.',
    mode: 'Aggregation: sichere Runden zeigen dem Koordinator nur die maskierte Summe der Updates; einfache Runden zeigen ihm das Update jeder Bäckerei.',
  },
  terms: {
    epsilon: 'Verbrauchter Datenschutz (ε)',
    delta: 'δ',
    clip: 'Begrenzung C',
    noise: 'Rauschfaktor z',
    threshold: 'Schwelle t',
    colluders: 'Mitwisser c',
    budget: 'Gesamtbudget (ε)',
    mode: 'Aggregation',
  },
  modes: { plain: 'einfach (jedes Update lesbar)', secure: 'sicher (nur maskierte Summe)' },

  round: {
    plainRunning:
      'Einfache Runde: Jede Bäckerei, die hochlädt, sendet ihr begrenztes Update unmaskiert und ohne Rauschen, und der Koordinator liest es.',
    plainNothing: 'Einfache Runde: Kein Update hat den Koordinator erreicht.',
    plainRead: (summed) =>
      summed === null
        ? 'Einfache Runde: Der Koordinator hat jedes erhaltene begrenzte Update selbst gelesen, unmaskiert und ohne Rauschen.'
        : `Einfache Runde: Der Koordinator hat jedes der begrenzten Updates von ${summed} ${summed === 1 ? 'Bäckerei' : 'Bäckereien'} selbst gelesen, unmaskiert und ohne Rauschen.`,
    withNoise: (z) => `mit Rauschen (Rauschfaktor ${z})`,
    withoutNoise: 'ohne Rauschen, daher hat die Summe selbst keine formale Datenschutzgarantie',
    secureRunning: (noise) =>
      `Sichere Runde: Das Update jeder Bäckerei ist maskiert, ${noise}; der Koordinator hat noch keine Summe gesehen.`,
    secureNothing:
      'Sichere Runde: Sie endete, bevor eine Summe entschlüsselt wurde; der Koordinator sah weder ein Update noch eine Summe.',
    atLeast: (threshold) => ` (mindestens ${threshold} zum Entschlüsseln nötig)`,
    secureSum: (summed, threshold, noise) =>
      `Der Koordinator sah nur die Summe der Updates von ${summed === null ? 'den verbliebenen' : summed} ${summed === 1 ? 'Bäckerei' : 'Bäckereien'}${threshold}, ${noise}; kein einzelnes Update einer Bäckerei war lesbar.`,
    epsilon: (epsilon) => `ε = ${epsilon}`,
    unbounded: 'kein Rauschen: keine ε-Schranke',
    nothingReleased: 'nichts freigegeben',
    splitAll: 'unter allen anderen',
    splitNeighbours: (k) => `unter ihren ${k} Nachbarn (aus der Liste gezogen)`,
    configuration: (n, c, survivors, split, t) =>
      `Ausgelegt für die ${n} Bäckereien ihrer signierten Liste und einen Koordinator, der mit bis zu ${c} von ihnen zusammenarbeitet: Mindestens ${survivors} mussten hochladen und die Liste der Verbliebenen signieren, und jede Bäckerei teilte ihre Geheimnisse ${split}; ${t} Teile waren nötig, um eines wiederherzustellen.`,
    colludersNone: 'nicht erfasst',
  },

  budget: {
    title: 'Datenschutzbudget',
    noGuarantee: (rounds) =>
      `Keine formale Garantie: ${rounds} ${rounds === 1 ? 'Runde hat' : 'Runden haben'} ein Ergebnis ohne Rauschen freigegeben (eine einfache Runde, in der der Koordinator jedes Update liest, oder Rauschfaktor 0), daher ist Epsilon unbeschränkt. Die veröffentlichten Modelle können Hinweise auf die Verkäufe einer Bäckerei geben. Für eine Schranke: sichere Runden mit Rauschfaktor über 0 unter Einstellungen.`,
    nothingYet: 'Noch kein Datenschutzbudget verbraucht: Keine Runde hat ein Ergebnis freigegeben.',
    noLimit:
      ' Es ist kein Gesamtbudget gesetzt, daher halten Runden nie aus Datenschutzgründen an.',
    usedUp: (budget) => ` Das Gesamtbudget von ε = ${budget} ist aufgebraucht.`,
    share: (percent, budget) =>
      ` ${percent} % des Gesamtbudgets von ε = ${budget} sind verbraucht.`,
    strong: (e, rounds) =>
      `Stark: ε = ${e} nach ${rounds} Runden. Die Modelle verraten so gut wie nichts über eine einzelne Bäckerei.`,
    moderate: (e, rounds) =>
      `Mittel: ε = ${e} nach ${rounds} Runden. Wer die Modelle genau ansieht, erfährt wenig über eine Bäckerei, aber nicht nichts.`,
    weak: (e, rounds) =>
      `Schwach: ε = ${e} nach ${rounds} Runden. Mit wenigen Bäckereien und nächtlichen Runden ist die Garantie dünn geworden; die Modelle können Muster einzelner Bäckereien zeigen.`,
    veryWeak: (e, rounds) =>
      `Sehr schwach: ε = ${e} nach ${rounds} Runden. Auf diesem Niveau bedeutet die formale Garantie wenig — die sichere Aggregation verbirgt jedes Update weiterhin vor dem Koordinator, aber die veröffentlichten Modelle könnten Hinweise auf die Verkäufe einer Bäckerei geben. Erhöhen Sie das Rauschen, runden Sie seltener oder setzen Sie ein Budget.`,
    spent: (epsilon, delta) => `Verbraucht: ε = ${epsilon} bei δ = ${delta}`,
    lastRound: (epsilon) => `; die letzte Runde allein: ε = ${epsilon}`,
    total: (budget) => `; Gesamtbudget ε = ${budget}`,
    chartSpent: 'ε insgesamt verbraucht',
    chartBudget: 'Budget',
    accountant:
      'Gezählt mit dem Rényi-Buchhalter des verteilten diskreten Gauß-Rauschens, das die Bäckereien hinzufügen, über jede Runde, die ein Ergebnis freigegeben hat.',
  },

  refusal: {
    notMasked: 'sie war nicht maskiert (einfache Runde)',
    noiseTooLow: (noise, minimum) => `Rauschen ${noise} liegt unter ihrem Minimum von ${minimum}`,
    tooFewShops: (shops, minimum) =>
      `${shops} Bäckereien in der Runde, sie verlangt mindestens ${minimum}`,
    thresholdTooLow: (threshold, shops, minimum) =>
      `Schwelle ${threshold} von ${shops} Bäckereien, sie verlangt mindestens ${minimum}`,
    epsilonUnbounded: (limit) =>
      `die Runde hat kein Rauschen, ihr Datenschutzverlust ist also unbeschränkt (ihre Grenze: ε ${limit} pro Jahr)`,
    epsilonOver: (epsilon, limit) =>
      `sie hätte ihr ε über das letzte Jahr auf ${epsilon} gebracht, über ihre Grenze von ${limit}`,
  },

  noFiguresSent:
    'Noch keine Zahlen. Die Bäckereien senden keine eigenen Genauigkeitszahlen (der Fehler einer Bäckerei würde dem Koordinator zeigen, wie sie verkauft): Die Zahlen des Verbunds zu einem Modell kommen nur als verrauschte Summe in der maskierten Summe der nächsten sicheren Runde.',
  plainWarning:
    'Einfache Runden zeigen dem Koordinator das begrenzte Update jeder Bäckerei, unmaskiert und ohne Rauschen: keine Datenschutzgarantie. Bäckereien mit der Standardrichtlinie lassen sie aus, und keine öffnet, solange ein Datenschutzbudget gesetzt ist.',
};
