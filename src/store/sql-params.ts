/**
 * Parameter normalisation shared by both dialects. Booleans are stored as
 * INTEGER 0/1 (see db.ts), and neither driver accepts a JS boolean for an
 * integer column, so they are converted here once instead of in every store.
 */
export function normalizeParams(params: readonly unknown[] | undefined): unknown[] {
  if (!params || params.length === 0) return [];
  return params.map((p) => (p === undefined ? null : typeof p === 'boolean' ? (p ? 1 : 0) : p));
}
