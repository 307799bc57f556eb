/**
 * The one HTML escaper, for text and quoted attribute values alike. A leaf:
 * it imports nothing, so the forms, the themes, the error pages and the
 * plugin API's `html` all use it.
 */
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}
