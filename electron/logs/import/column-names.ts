import type { ImportColumn } from '../../api/contract/imports.ts';

/**
 * The headers bakeries' tills and spreadsheets use for each column, in English, German and
 * French, written as `headerKey` turns them (lower case, no accents, words joined by _). The
 * column's own name always counts too. Order matters only within a list: the first header of
 * the file that matches any alias is taken.
 */
const aliases: Record<ImportColumn, readonly string[]> = {
  date: ['day', 'datum', 'tag', 'verkaufstag', 'jour', 'date_de_vente'],
  product: [
    'item',
    'article',
    'product_name',
    'artikel',
    'artikelname',
    'produkt',
    'bezeichnung',
    'artikelbezeichnung',
    'produit',
    'designation',
    'libelle',
  ],
  sold: [
    'sales',
    'qty_sold',
    'quantity_sold',
    'units_sold',
    'verkauft',
    'verkauf',
    'absatz',
    'verkaufte_menge',
    'vendu',
    'vendus',
    'ventes',
    'quantite_vendue',
    'qte_vendue',
  ],
  baked: [
    'produced',
    'made',
    'baked_qty',
    'gebacken',
    'produziert',
    'produktion',
    'backmenge',
    'cuit',
    'cuits',
    'fabrique',
    'fabriques',
    'production',
    'quantite_produite',
  ],
  wasted: [
    'waste',
    'leftover',
    'leftovers',
    'unsold',
    'retoure',
    'retouren',
    'abschrift',
    'abschriften',
    'abfall',
    'rest',
    'reste',
    'invendu',
    'invendus',
    'perte',
    'pertes',
    'rebut',
  ],
  category: ['kategorie', 'warengruppe', 'categorie', 'famille', 'rayon'],
  shelf_life_days: [
    'shelf_life',
    'haltbarkeit',
    'haltbarkeit_tage',
    'duree_de_conservation',
    'conservation_jours',
  ],
  unit_price: [
    'price',
    'preis',
    'verkaufspreis',
    'stueckpreis',
    'prix',
    'prix_unitaire',
    'prix_de_vente',
  ],
  unit_cost: [
    'cost',
    'kosten',
    'einkaufspreis',
    'herstellkosten',
    'wareneinsatz',
    'cout',
    'cout_unitaire',
    'cout_de_revient',
  ],
  closed: ['geschlossen', 'ruhetag', 'ferme', 'fermeture'],
  temperature: ['temp', 'temperatur', 'temperature_c'],
  rain: ['regen', 'niederschlag', 'pluie', 'precipitation'],
  holiday: ['feiertag', 'ferie', 'jour_ferie'],
  store: [
    'shop',
    'branch',
    'filiale',
    'geschaeft',
    'laden',
    'magasin',
    'boutique',
    'point_de_vente',
  ],
  sold_out: ['ausverkauft', 'epuise', 'rupture'],
  sold_out_time: ['ausverkauft_um', 'heure_rupture', 'epuise_a'],
  waste_reason: ['abschriftgrund', 'grund', 'motif_perte', 'raison'],
  waste_outcome: ['verwendung', 'verbleib', 'destination'],
  note: ['notes', 'comment', 'notiz', 'bemerkung', 'kommentar', 'remarque', 'commentaire'],
};

/**
 * A header as compared: "Shelf Life Days", "shelf-life-days" and "Quantité vendue" become
 * shelf_life_days and quantite_vendue; German umlauts are spelled out (Geschäft → geschaeft).
 */
export function headerKey(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/ß/g, 'ss')
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

/** Every header key that names a column: its own name first. */
export function namesOf(column: ImportColumn): readonly string[] {
  return [column, ...aliases[column]];
}
