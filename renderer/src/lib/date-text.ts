/**
 * A calendar day written the way the shop's language writes it (20.11.2026, 20/11/2026), and
 * read back from what a baker types. The browser's own date input follows the browser's locale
 * instead, which is why the screens use a text field with these two functions.
 */
const numericDay = (tag: string) =>
  new Intl.DateTimeFormat(tag, {
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    timeZone: 'UTC',
  });

export function dayText(iso: string, tag: string): string {
  const [y = 1970, m = 1, d = 1] = iso.split('-').map(Number);
  return numericDay(tag).format(new Date(Date.UTC(y, m - 1, d, 12)));
}

/** The order of day, month and year in the language's numeric dates, e.g. ['day','month','year']. */
function fieldOrder(tag: string): ('day' | 'month' | 'year')[] {
  return numericDay(tag)
    .formatToParts(new Date(Date.UTC(2024, 0, 31, 12)))
    .map((part) => part.type)
    .filter((type): type is 'day' | 'month' | 'year' => ['day', 'month', 'year'].includes(type));
}

/**
 * The ISO day of what was typed, or null when it is not a day that exists. Accepts the
 * language's order with any of . / - or space between the numbers, and ISO (2026-11-20).
 */
export function parseDayText(text: string, tag: string): string | null {
  const trimmed = text.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(trimmed);
  const numbers = iso
    ? { year: iso[1], month: iso[2], day: iso[3] }
    : (() => {
        const parts = trimmed.split(/[./\-\s]+/);
        const order = fieldOrder(tag);
        if (parts.length !== 3 || parts.some((p) => !/^\d{1,4}$/.test(p))) return null;
        return Object.fromEntries(order.map((field, i) => [field, parts[i]])) as Record<
          'day' | 'month' | 'year',
          string
        >;
      })();
  if (!numbers?.year || !numbers.month || !numbers.day || numbers.year.length !== 4) return null;
  const [y, m, d] = [Number(numbers.year), Number(numbers.month), Number(numbers.day)];
  const date = new Date(Date.UTC(y, m - 1, d, 12));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d)
    return null;
  return date.toISOString().slice(0, 10);
}
