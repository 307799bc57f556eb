/**
 * SVG pictures, made safe or refused. An SVG is a document that can run
 * script, load other files and show HTML, so when a site accepts them (a
 * setting, off by default) each one is rebuilt from an allowlist of drawing
 * elements and attributes (sanitize-html, in XML mode): no script, no event
 * handler, no foreignObject, no animation (it can set an href), no link or
 * reference outside the file (href and xlink:href only to `#fragments`, url()
 * only to `#fragments`), no DOCTYPE or entities. What the allowlist cannot
 * decide (a DOCTYPE, a <style> block with an external url() or @import) is
 * refused with the reason. The result is read once more and refused if
 * anything outside the allowlist survived. It is served with its own strict
 * Content-Security-Policy on top (serve.ts).
 */
import { requireSanitizeHtml } from '../../src/plugins/plugin.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const XLINK_NS = 'http://www.w3.org/1999/xlink';

const TAGS = [
  'svg', 'g', 'defs', 'symbol', 'use', 'title', 'desc', 'style',
  'path', 'rect', 'circle', 'ellipse', 'line', 'polyline', 'polygon',
  'text', 'tspan', 'textPath',
  'linearGradient', 'radialGradient', 'stop', 'pattern', 'clipPath', 'mask', 'marker',
  'filter', 'feBlend', 'feColorMatrix', 'feComponentTransfer', 'feComposite', 'feConvolveMatrix', 'feDiffuseLighting',
  'feDisplacementMap', 'feDistantLight', 'feDropShadow', 'feFlood', 'feFuncA', 'feFuncB', 'feFuncG', 'feFuncR',
  'feGaussianBlur', 'feMerge', 'feMergeNode', 'feMorphology', 'feOffset', 'fePointLight', 'feSpecularLighting',
  'feSpotLight', 'feTile', 'feTurbulence',
];

const ATTRIBUTES = [
  'id', 'class', 'style', 'lang', 'xml:space', 'xmlns', 'xmlns:xlink', 'version', 'role', 'aria-label', 'aria-hidden',
  'href', 'xlink:href', 'x', 'y', 'x1', 'x2', 'y1', 'y2', 'cx', 'cy', 'r', 'rx', 'ry', 'fx', 'fy', 'fr', 'd', 'points', 'pathLength',
  'width', 'height', 'viewBox', 'preserveAspectRatio', 'transform', 'opacity', 'display', 'visibility', 'overflow', 'color',
  'fill', 'fill-opacity', 'fill-rule', 'stroke', 'stroke-width', 'stroke-opacity', 'stroke-linecap', 'stroke-linejoin',
  'stroke-miterlimit', 'stroke-dasharray', 'stroke-dashoffset', 'paint-order', 'vector-effect', 'shape-rendering',
  'clip-path', 'clip-rule', 'clipPathUnits', 'mask', 'maskUnits', 'maskContentUnits', 'filter', 'filterUnits', 'primitiveUnits',
  'marker-start', 'marker-mid', 'marker-end', 'markerWidth', 'markerHeight', 'markerUnits', 'refX', 'refY', 'orient',
  'gradientUnits', 'gradientTransform', 'spreadMethod', 'offset', 'stop-color', 'stop-opacity',
  'patternUnits', 'patternContentUnits', 'patternTransform',
  'font-family', 'font-size', 'font-weight', 'font-style', 'font-variant', 'text-anchor', 'dominant-baseline', 'alignment-baseline',
  'baseline-shift', 'letter-spacing', 'word-spacing', 'text-decoration', 'dx', 'dy', 'rotate', 'textLength', 'lengthAdjust', 'startOffset',
  'text-rendering', 'image-rendering', 'color-interpolation', 'color-interpolation-filters', 'mix-blend-mode', 'isolation',
  'in', 'in2', 'result', 'stdDeviation', 'mode', 'operator', 'k1', 'k2', 'k3', 'k4', 'values', 'type', 'tableValues', 'slope',
  'intercept', 'amplitude', 'exponent', 'flood-color', 'flood-opacity', 'lighting-color', 'baseFrequency', 'numOctaves',
  'seed', 'stitchTiles', 'scale', 'xChannelSelector', 'yChannelSelector', 'radius', 'order', 'kernelMatrix', 'divisor', 'bias',
  'targetX', 'targetY', 'edgeMode', 'preserveAlpha', 'surfaceScale', 'diffuseConstant', 'specularConstant', 'specularExponent',
  'azimuth', 'elevation', 'z', 'pointsAtX', 'pointsAtY', 'pointsAtZ', 'limitingConeAngle',
];
const TAG_SET = new Set(TAGS);
const ATTRIBUTE_SET = new Set(ATTRIBUTES);
/** Dropped with everything inside them, not only unwrapped (compared in lower case). */
const DROPPED_WITH_CONTENT = new Set(['script', 'foreignobject', 'iframe', 'object', 'embed', 'audio', 'video', 'canvas', 'noscript', 'template', 'animate', 'animatemotion', 'animatetransform', 'set', 'handler', 'listener']);

/** A url() anywhere that does not point into the file itself (`url(#id)`). */
const EXTERNAL_URL = /url\s*\(\s*(?!['"]?\s*#)/i;
/** CSS that reaches outside the file or hides what it says (escapes can spell url). */
const UNSAFE_CSS = /@import|expression\s*\(|javascript:|-moz-binding|behavior\s*:|\\/i;

const cssProblem = (css: string): string | undefined =>
  EXTERNAL_URL.test(css) ? 'a url() that points outside the file' : UNSAFE_CSS.test(css) ? 'an @import, a CSS escape or a script address' : undefined;

/** Why an attribute cannot stay, or undefined when it may. */
function attributeProblem(name: string, value: string): string | undefined {
  if (/^on/i.test(name)) return 'event handler';
  if (!ATTRIBUTE_SET.has(name)) return 'not a drawing attribute';
  const v = value.trim();
  if (name === 'href' || name === 'xlink:href') return v.startsWith('#') && !/[\s"'<>()]/.test(v) ? undefined : 'link outside the file';
  if (name === 'xmlns') return v === SVG_NS ? undefined : 'another namespace';
  if (name === 'xmlns:xlink') return v === XLINK_NS ? undefined : 'another namespace';
  if (/javascript:|data:|vbscript:/i.test(v)) return 'script address';
  if (EXTERNAL_URL.test(v)) return 'url() outside the file';
  if (name === 'style' && cssProblem(v)) return 'unsafe style';
  return undefined;
}

export type SvgResult = { ok: true; svg: Buffer; width: number; height: number } | { ok: false; reason: string };

/** The picture's size from width/height (plain numbers or px), else its viewBox, else the browser default. */
function sizeOf(svg: string): { width: number; height: number } {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
  const attr = (n: string) => new RegExp(`\\s${n}="([^"]*)"`).exec(root)?.[1];
  const px = (v: string | undefined) => (v && /^\s*\d+(\.\d+)?\s*(px)?\s*$/.test(v) ? Math.round(parseFloat(v)) : 0);
  let width = px(attr('width'));
  let height = px(attr('height'));
  const box = (attr('viewBox') ?? '').trim().split(/[\s,]+/).map(Number);
  if ((!width || !height) && box.length === 4 && box[2] > 0 && box[3] > 0) {
    if (width) height = Math.round((width * box[3]) / box[2]);
    else if (height) width = Math.round((height * box[2]) / box[3]);
    else [width, height] = [Math.round(box[2]), Math.round(box[3])];
  }
  return width > 0 && height > 0 ? { width: Math.min(width, 100_000), height: Math.min(height, 100_000) } : { width: 300, height: 150 };
}

/** Rebuilds an SVG from the allowlist, or says why it cannot be made safe. */
export function sanitiseSvg(body: Buffer): SvgResult {
  // Loaded on the first SVG (the plugin entry's lazy loader): sanitize-html costs start time and ~15 MiB.
  const sanitizeHtml = requireSanitizeHtml();
  const text = body.toString('utf8').replace(/^\uFEFF/, '');
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) return { ok: false, reason: 'it has a DOCTYPE or entity declarations, which can hide content or expand without end; save it again without them.' };
  const problems: string[] = [];
  const out = sanitizeHtml(text, {
    parser: { xmlMode: true, decodeEntities: true },
    allowedTags: TAGS,
    allowedAttributes: false,
    allowVulnerableTags: true, // <style> is checked below, as a block of CSS
    nonTextTags: ['script', 'style', 'foreignObject', 'SCRIPT'],
    transformTags: {
      '*': (tagName, attribs) => ({ tagName, attribs: Object.fromEntries(Object.entries(attribs).filter(([n, v]) => !attributeProblem(n, v))) }),
    },
    exclusiveFilter(frame) {
      if (DROPPED_WITH_CONTENT.has(frame.tag.toLowerCase())) return true;
      if (frame.tag === 'style') {
        const css = frame.text ?? '';
        const p = cssProblem(css) ?? (/[<&]/.test(css) ? 'markup inside the style block' : undefined);
        if (p) problems.push(`its <style> block has ${p}`);
        return Boolean(p);
      }
      return false;
    },
  }).trim();
  if (problems.length) return { ok: false, reason: `${problems[0]}; remove it (or save the picture as PNG) and upload it again.` };
  if (!/^<svg[\s>]/.test(out)) return { ok: false, reason: 'no drawing is left once script and outside references are taken out.' };

  // Read the result once more: anything outside the allowlist means the rebuild failed, and the file is refused.
  const leftover: string[] = [];
  sanitizeHtml(out, {
    parser: { xmlMode: true, decodeEntities: true },
    allowedTags: false,
    allowedAttributes: false,
    allowVulnerableTags: true, // nothing of this pass is kept: it only reads
    onOpenTag(name, attribs) {
      if (!TAG_SET.has(name)) leftover.push(`<${name}>`);
      for (const [n, v] of Object.entries(attribs)) if (attributeProblem(n, v)) leftover.push(`${n}="${v}"`);
    },
  });
  if (leftover.length) return { ok: false, reason: `it could not be made safe (${leftover.slice(0, 3).join(', ')}).` };
  const svg = out.startsWith('<svg') && !/^<svg[^>]*\sxmlns="/.test(out) ? out.replace(/^<svg/, `<svg xmlns="${SVG_NS}"`) : out;
  return { ok: true, svg: Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`, 'utf8'), ...sizeOf(svg) };
}
