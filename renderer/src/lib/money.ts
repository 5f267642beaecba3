/**
 * Reads an amount as a bakery types it: "1.20", "1,20", "0,5" or empty. Returns null for
 * empty, NaN for anything else (never a guessed value), so the form can say what is wrong.
 */
export function parseAmount(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  if (!/^\d{1,6}([.,]\d{1,4})?$/.test(trimmed)) return Number.NaN;
  return Number(trimmed.replace(',', '.'));
}

/** An amount back to text in the user's decimal style, for editing. */
export function amountText(value: number | null, decimalSeparator: string): string {
  if (value == null) return '';
  const text = Number.isInteger(value) ? value.toFixed(2) : String(value);
  return decimalSeparator === ',' ? text.replace('.', ',') : text;
}

export function decimalSeparatorOf(localeTag: string): string {
  return (
    new Intl.NumberFormat(localeTag).formatToParts(1.5).find((part) => part.type === 'decimal')
      ?.value ?? '.'
  );
}
