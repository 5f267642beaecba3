import type { PrivacyWords } from './en.ts';

export const privacyDe: PrivacyWords = {
  explain: {
    epsilon:
      'ε (Epsilon) misst, wie viel die gemeinsamen Modelle über diese Bäckerei verraten könnten: je kleiner, desto besser; über etwa 10 ist das formale Versprechen schwach.',
    clip: 'Begrenzung: die größte Änderung, die das Update einer Bäckerei am gemeinsamen Modell machen darf; so wiegt keine Bäckerei mehr.',
    noise:
      'Rauschen: Zufallszahlen, die den Updates hinzugefügt werden, als Vielfaches der Begrenzung; mehr Rauschen verbirgt mehr und kostet etwas Genauigkeit.',
    threshold:
      'Schwelle: wie viele Bäckereien einer Runde helfen müssen, bevor die Summe entschlüsselt werden kann; weniger können, selbst zusammen mit dem Koordinator, das Update einer Bäckerei nicht lesen.',
  },
  terms: { epsilon: 'ε', clip: 'Begrenzung', noise: 'Rauschen', threshold: 'Schwelle' },

  round: {
    title: (round) => `Runde ${round}`,
    skipped: (round, reasons) => `Runde ${round} wurde ausgelassen: ${reasons}.`,
    keysOnly:
      'Gesendet waren nur die Schlüssel dieser Runde, nichts aus den Daten dieser Bäckerei.',
    maskedNoised: (shops) =>
      `Der Koordinator sah nur die Summe der Updates von ${shops} Bäckereien, mit Rauschen; kein einzelnes Update einer Bäckerei war lesbar.`,
    maskedNoisedAtLeast: (threshold) =>
      `Das Update dieser Bäckerei war maskiert und verrauscht: Der Koordinator konnte es nur als Teil der Summe der Updates von mindestens ${threshold} Bäckereien sehen; kein einzelnes Update einer Bäckerei war lesbar.`,
    maskedNoiseless: (shops) =>
      `Der Koordinator sah nur die Summe der Updates von ${shops} Bäckereien, ohne Rauschen: Kein einzelnes Update einer Bäckerei war lesbar, aber die Summe hat keine formale Datenschutzgarantie.`,
    maskedNoiselessAtLeast: (threshold) =>
      `Das Update dieser Bäckerei war maskiert, ohne Rauschen: Der Koordinator konnte es nur als Teil der Summe der Updates von mindestens ${threshold} Bäckereien sehen, und diese Summe hat keine formale Datenschutzgarantie.`,
    colluders: (colluders, shops, threshold) =>
      `Diese Bäckerei hat die Runde geprüft: Sie bleibt sicher, selbst wenn bis zu ${colluders} der ${shops} Bäckereien mit dem Koordinator zusammenarbeiten, und die Summe wird nur geöffnet, wenn mindestens ${threshold} von ihnen mitmachen.`,
    plain:
      'Der Koordinator erhielt das Update dieser Bäckerei selbst (begrenzt, im Klartext, ohne Rauschen): Er konnte es lesen.',
    noUpdate:
      'In dieser Runde wurde kein Modell-Update gesendet, nur die aufgeführten Nachrichten.',
  },
  reasons: {
    notMasked: 'sie war nicht maskiert',
    noiseTooLow: (noise, minimum) =>
      `ihr Rauschen (${noise}) lag unter dem Minimum dieser Bäckerei von ${minimum}`,
    tooFewShops: (shops, minimum) =>
      `sie hatte ${shops} Bäckereien, diese Bäckerei verlangt mindestens ${minimum}`,
    thresholdTooLow: (threshold, shops, minimum) =>
      `ihre Schwelle war ${threshold} von ${shops} Bäckereien, diese Bäckerei verlangt mindestens ${minimum}`,
    epsilonUnbounded: (limit) =>
      `sie hätte diese Bäckerei ohne jede Datenschutzschranke gelassen, über ihrer Grenze von ε = ${limit} pro Jahr`,
    epsilonOver: (epsilon, limit) =>
      `sie hätte das ε dieser Bäckerei über die letzten 12 Monate auf ${epsilon} gebracht, über ihre Grenze von ${limit}`,
    and: '; ',
  },

  policy: {
    maskedOnly: (noise, shops) =>
      `Diese App nimmt nur an maskierten Runden (sichere Aggregation) teil, mit Rauschen von mindestens ${noise}, unter mindestens ${shops} Bäckereien, von denen mehr als zwei Drittel nötig sind, um die Summe zu entschlüsseln.`,
    alsoPlain: (noise, shops) =>
      `Diese App nimmt auch an einfachen Runden teil, in denen der Koordinator das Update dieser Bäckerei unmaskiert und ohne Rauschen erhält und lesen könnte. Maskierte Runden brauchen Rauschen von mindestens ${noise} und mindestens ${shops} Bäckereien, von denen mehr als zwei Drittel zum Entschlüsseln der Summe nötig sind.`,
    limit: (limit) =>
      `Sie hört auf, bevor das ε dieser Bäckerei über 12 Monate ${limit} überschreiten würde.`,
    noLimit: 'Sie setzt keine Grenze für ε.',
    salesStay:
      'Verkaufszahlen verlassen diesen Rechner nie; jede Nachricht der App steht auf der Seite „Verbund“. Diese Regeln legen Sie unter Einstellungen fest.',
  },
  history: {
    none: 'Noch kein Modell-Update gesendet, also kein Datenschutzbudget verbraucht.',
    allNoised: (updates, epsilon, delta) =>
      `${updates} ${updates === 1 ? 'Modell-Update' : 'Modell-Updates'} gesendet, alle maskiert und mit Rauschen. Verbrauchtes Datenschutzbudget: ε = ${epsilon} (δ = ${delta}).`,
    unbounded: (updates, plain, noiseless, since) =>
      `${updates} ${updates === 1 ? 'Modell-Update' : 'Modell-Updates'} gesendet, davon ${[
        plain ? `${plain} einfach (für den Koordinator lesbar)` : '',
        noiseless ? `${noiseless} maskiert ohne Rauschen` : '',
      ]
        .filter(Boolean)
        .join(' und ')}. Keine formale Garantie seit ${since}.`,
    meaning: {
      strong:
        'Eine starke Garantie: Die gemeinsamen Modelle verraten so gut wie nichts über diese Bäckerei.',
      moderate:
        'Eine mittlere Garantie: Die gemeinsamen Modelle könnten Muster dieser Bäckerei andeuten, aber nicht ihre Zahlen preisgeben.',
      weak: 'Eine schwache Garantie: Mit wenigen Bäckereien und vielen Nächten wird ε groß, das Rauschen allein schützt dann wenig.',
    },
  },

  summary: {
    title: 'Was diese Bäckerei sendet',
    change: 'Diese Regeln ändern',
  },

  settings: {
    title: 'Datenschutzregeln',
    lead: 'Was diese Bäckerei an den Verbund sendet. Die App prüft jede Runde gegen diese Regeln, bevor sie irgendetwas dafür sendet; der Koordinator kann sie nicht ändern.',
    allowPlain: 'Auch an einfachen Runden teilnehmen',
    allowPlainHint:
      'In einer einfachen Runde erhält der Koordinator das Update dieser Bäckerei unmaskiert und ohne Rauschen und könnte es lesen.',
    minNoise: 'Kleinstes akzeptiertes Rauschen',
    minShops: 'Wenigste Bäckereien in einer Runde',
    minShopsHint:
      'Gezählt auf der Liste, die jede Bäckerei für die Runde unterschrieben hat, nicht nach Angabe des Koordinators. Bei zweien könnte jede das Update der anderen aus der Summe errechnen.',
    epsilonLimit: 'Grenze für ε über 12 Monate',
    noLimit: 'Keine Grenze',
    thresholdRule:
      'Immer: Mehr als zwei Drittel der Bäckereien einer Runde müssen zum Entschlüsseln der Summe nötig sein.',
    spentYear: (epsilon) => `Verbraucht in den letzten 12 Monaten: ε = ${epsilon}.`,
    spentYearUnbounded:
      'In den letzten 12 Monaten ging ein Update ohne Rauschen hinaus: keine formale Garantie, daher hält jede Grenze diese Bäckerei von Runden ab, bis dieses Update ein Jahr alt ist.',
    isDefault: 'Voreinstellung',
    defaults: 'Voreinstellungen wiederherstellen',
    saved:
      'Datenschutzregeln gespeichert; sie gelten ab der nächsten Nachricht, die die App senden würde.',
  },

  ledger: {
    title: 'Was diese Bäckerei verlassen hat',
    lead: 'Jede Anfrage, die diese App an den Koordinator geschickt hat, Runde für Runde: Größe und ein Fingerabdruck (Hash) genau dessen, was gesendet wurde, notiert bevor es hinausging.',
    totals: (messages, bytes) =>
      `${messages} ${messages === 1 ? 'Nachricht' : 'Nachrichten'}, ${bytes}`,
    other: 'Keiner Runde zugeordnet',
    otherLead:
      'Anmeldung, Statusabfragen und Modell-Downloads (jede Statusabfrage trägt nur die Kennungs-Header: Bäckerei-ID, App-Version, Uhrzeit).',
    showMessages: 'Nachrichten anzeigen',
    more: 'Ältere Runden',
    nothingSent: 'Bisher hat nichts diese Bäckerei verlassen.',
    sentAt: 'Gesendet',
    kind: 'Was',
    size: 'Größe',
    answer: 'Antwort',
    hash: 'Fingerabdruck',
    answers: {
      accepted: 'angenommen',
      refused: 'abgelehnt',
      none: 'keine Antwort (kann angekommen sein)',
      pending: 'keine Antwort verzeichnet',
    },
    kinds: {
      enrol: 'Anmeldung',
      status: 'Statusabfrage',
      'round-status': 'Rundenstatus-Abfrage',
      model: 'Modell-Download',
      checkin: 'Teilnahmemeldung',
      update: 'Modell-Update, einfach',
      advertise: 'Rundenschlüssel',
      shares: 'Verschlüsselte Schlüsselanteile',
      masked: 'Maskiertes Modell-Update',
      confirm: 'Teilnehmerprüfung',
      unmask: 'Hilfe beim Entschlüsseln',
      metrics: 'Genauigkeitsübersicht',
      refusal: 'Ablehnungsmeldung',
    },
    describe: {
      update: (numbers, examples, clip) =>
        `${numbers} Zahlen (die Änderung des gemeinsamen Modells nach dem Training mit ${examples} Beispielen), begrenzt auf ${clip}; nicht maskiert, kein Rauschen.`,
      masked: (numbers, clip, noise, threshold, shops) =>
        `${numbers} Zahlen, begrenzt auf ${clip}, Rauschen ×${noise}, maskiert; Schwelle ${threshold} von ${shops} Bäckereien.`,
      unmask: (survivors, dropped) =>
        `Anteile, mit denen der Koordinator die Summe der Updates von ${survivors} Bäckereien entschlüsseln kann (${dropped} ausgestiegen); nie ein Anteil, der eine einzelne Bäckerei entschlüsselt.`,
      confirm: (survivors) =>
        `Die Unterschrift dieser Bäckerei unter die Liste der ${survivors} Bäckereien, deren Updates summiert werden, damit der Koordinator nicht verschiedenen Bäckereien verschiedene Listen zeigen kann.`,
      shares: (shares) =>
        `Schlüsselanteile für ${shares} Bäckereien, jeder so verschlüsselt, dass nur diese Bäckerei ihn lesen kann.`,
      advertise: 'Zwei öffentliche Schlüssel für diese Runde, von dieser Bäckerei signiert.',
      metrics: (version, n) =>
        `Wie gut Modellversion ${version} an ${n} jüngsten Tagen × Produkten war: zwei Fehlerzahlen, nicht maskiert.`,
      model: (version) => `Modellversion ${version} angefordert.`,
      status: 'Kein Inhalt: nur die Kennungs-Header.',
      refusal: (reasons) => `Warum diese Bäckerei die Runde ausgelassen hat: ${reasons}.`,
      enrol:
        'Einladungscode, Name dieser Bäckerei, App-Version und öffentlicher Schlüssel dieser Bäckerei.',
      checkin: 'Dass diese Bäckerei an der Runde teilnimmt, sonst nichts.',
    },
  },
};
