/**
 * The type of an upload, decided from its first bytes (magic numbers), never
 * from its name or the browser's word. Only the types the library accepts are
 * recognised; SVG is recognised so it can be sanitised, or refused with its own message.
 */

export type MediaType = { mime: string; ext: string; kind: 'image' | 'document' };

export const ACCEPTED: Record<string, MediaType> = {
  jpeg: { mime: 'image/jpeg', ext: 'jpg', kind: 'image' },
  png: { mime: 'image/png', ext: 'png', kind: 'image' },
  webp: { mime: 'image/webp', ext: 'webp', kind: 'image' },
  avif: { mime: 'image/avif', ext: 'avif', kind: 'image' },
  gif: { mime: 'image/gif', ext: 'gif', kind: 'image' },
  pdf: { mime: 'application/pdf', ext: 'pdf', kind: 'document' },
  /** Only when the site takes SVG, and only as rebuilt by svg-sanitise.ts. */
  svg: { mime: 'image/svg+xml', ext: 'svg', kind: 'image' },
};

export const SVG_MIME = 'image/svg+xml';

const startsWith = (b: Buffer, sig: number[], at = 0) => b.length >= at + sig.length && sig.every((x, i) => b[at + i] === x);

/** `jpeg`, `png`, … ; `svg` for SVG (or XML that holds one); undefined for anything else. */
export function sniff(head: Buffer): keyof typeof ACCEPTED | undefined {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(head, [0x47, 0x49, 0x46, 0x38]) && (head[4] === 0x37 || head[4] === 0x39) && head[5] === 0x61) return 'gif';
  if (startsWith(head, [0x52, 0x49, 0x46, 0x46]) && startsWith(head, [0x57, 0x45, 0x42, 0x50], 8)) return 'webp';
  // ISO-BMFF: size, "ftyp", then a major brand; AVIF is "avif" (still) or "avis" (sequence).
  if (startsWith(head, [0x66, 0x74, 0x79, 0x70], 4)) {
    const brands = head.subarray(8, Math.min(head.length, 64)).toString('latin1');
    if (/avi[fs]/.test(brands)) return 'avif';
  }
  if (startsWith(head, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'pdf'; // %PDF-
  const text = head.subarray(0, 4096).toString('utf8').replace(/^\uFEFF/, '').trimStart().toLowerCase();
  // A DOCTYPE (with an internal subset, entities) makes it an SVG too, so it is refused as one, with the reason.
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!doctype svg[\s>]|<svg[\s>])/.test(text)) return 'svg';
  return undefined;
}

/** A cheap check that an image's bytes end where the format says: catches cut-off uploads before any decoding. */
export function looksComplete(type: string, buf: Buffer): boolean {
  if (type === 'jpeg') {
    let end = buf.length;
    while (end > 2 && buf[end - 1] === 0x00) end--; // some cameras pad after EOI
    return buf[end - 2] === 0xff && buf[end - 1] === 0xd9;
  }
  if (type === 'png') return buf.includes(Buffer.from('IEND'), Math.max(0, buf.length - 64));
  if (type === 'gif') return buf[buf.length - 1] === 0x3b;
  return true;
}

/**
 * A file name as people see it (kept for display and search) and the safe
 * part of the URL built from it: lower-case ASCII letters, digits and dashes.
 * `../../Été à Paris.JPG` → name `Été à Paris.JPG`, slug `ete-a-paris`.
 */
export function cleanName(raw: string | undefined): { name: string; slug: string } {
  const base = String(raw ?? '').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const name = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200) || 'upload';
  const stem = name.replace(/\.[A-Za-z0-9]{1,5}$/, '');
  const slug = stem.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'file';
  return { name, slug };
}

/** The alt text first guess: the file name without extension, dashes and underscores as spaces. */
export function altGuess(name: string): string {
  return name.replace(/\.[A-Za-z0-9]{1,5}$/, '').replace(/[-_]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
}
