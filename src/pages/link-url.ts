/** Links a visitor may follow: the rule for URL fields of every form and for menus. */

/** Schemes a link may use; everything else (javascript:, data:, vbscript:, file:, …) is refused. */
export const LINK_SCHEMES = ['http:', 'https:', 'mailto:', 'tel:'] as const;

export type LinkCheck = { ok: true; value: string } | { ok: false; error: string };

/**
 * A link a visitor may follow: `http:`, `https:`, `mailto:`, `tel:`, or a
 * site-relative link (`/about`, `about`, `#top`, `?q=1`). Browsers ignore
 * tabs, newlines and leading spaces inside a scheme (`java\tscript:`), so they
 * are stripped before the scheme is read.
 *
 * @example checkLinkUrl('javascript:alert(1)') // { ok: false, error: 'Links starting with javascript: are not allowed…' }
 */
export function checkLinkUrl(input: string): LinkCheck {
  const value = input.trim();
  if (!value) return { ok: false, error: 'Enter an address, such as /about or https://example.com/.' };
  if (value.length > 2000) return { ok: false, error: 'The address is longer than 2000 characters.' };
  if (/[\u0000-\u001f\u007f]/.test(value)) return { ok: false, error: 'An address cannot contain control characters or line breaks.' };
  if (value.startsWith('//') || value.startsWith('\\') || value.startsWith('/\\')) {
    return { ok: false, error: 'Start a link on this site with a single /, or write the full address with https://.' };
  }
  // What a browser would take as the scheme: letters up to the first ':' before any '/', '?' or '#'.
  const m = /^([^/?#]*?):/.exec(value.replace(/[\s\u0000-\u001f]/g, ''));
  if (!m) return { ok: true, value };
  const scheme = `${m[1].toLowerCase()}:`;
  if ((LINK_SCHEMES as readonly string[]).includes(scheme)) return { ok: true, value };
  if (!/^[a-z][a-z0-9+.-]*:$/.test(scheme)) return { ok: false, error: 'Enter a path such as /about, or a full address starting with https://.' };
  return {
    ok: false,
    error: `Links starting with ${scheme} are not allowed. Use a path on this site (/about), or an address starting with https://, http://, mailto: or tel:.`,
  };
}

/** Why `checkLinkUrl` refuses the value, or undefined when it accepts it (for the forms validator). */
export function linkProblem(input: string): string | undefined {
  const r = checkLinkUrl(input);
  return r.ok ? undefined : r.error;
}
