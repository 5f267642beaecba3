/** Query-string helpers for hash routes (kept out of rune modules: nothing here is state). */
export const queryValue = (query: string, key: string): string | null =>
  new URLSearchParams(query).get(key);

export const buildQuery = (params: Record<string, string>): string =>
  new URLSearchParams(params).toString();
