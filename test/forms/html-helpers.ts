/**
 * Just enough HTML reading for the form tests: find controls, read attributes, and submit a
 * rendered form the way a browser would (successful controls only, `<template>`s skipped).
 */

export function decode(s: string): string {
  return s.replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e] ?? _);
}

/** Attributes of a start tag: `{ type: 'text', required: '' }`. */
export function attrsOf(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  const body = tag.replace(/^<\w+/, '').replace(/\/?>$/, '');
  for (const m of body.matchAll(/([\w:-]+)(?:="([^"]*)")?/g)) out[m[1]] = m[2] === undefined ? '' : decode(m[2]);
  return out;
}

/** Start tags of controls (input, select, textarea, button), outside templates unless asked. */
export function controls(html: string, opts: { inTemplates?: boolean } = {}): string[] {
  const source = opts.inTemplates ? html : stripTemplates(html);
  return [...source.matchAll(/<(input|select|textarea|button)\b[^>]*>/g)].map((m) => m[0]);
}

export function stripTemplates(html: string): string {
  let out = html;
  // Templates nest; strip innermost first until none is left.
  while (/<template\b/.test(out)) out = out.replace(/<template\b[^>]*>(?:(?!<template\b)[\s\S])*?<\/template>/g, '');
  return out;
}

/** The control with this name (first match) and, for textareas and selects, its contents. */
export function control(html: string, name: string): { tag: string; attrs: Record<string, string>; inner?: string } {
  const src = stripTemplates(html);
  const re = new RegExp(`<(input|select|textarea)\\b[^>]*\\bname="${escapeRe(name)}"[^>]*>`, 'g');
  for (const m of src.matchAll(re)) {
    const a = attrsOf(m[0]);
    if (a.type === 'hidden' && src.slice(m.index! + m[0].length).match(new RegExp(`^<input\\b[^>]*name="${escapeRe(name)}"`))) continue;
    let inner: string | undefined;
    if (m[1] !== 'input') {
      const end = src.indexOf(`</${m[1]}>`, m.index! + m[0].length);
      inner = src.slice(m.index! + m[0].length, end);
    }
    return { tag: m[0], attrs: a, inner };
  }
  throw new Error(`no control named ${name}`);
}

export function labelFor(html: string, id: string): string | undefined {
  const m = new RegExp(`<label for="${escapeRe(id)}">([\\s\\S]*?)</label>`).exec(html);
  return m ? m[1] : undefined;
}

/** Visible text of an HTML fragment. */
export function text(fragment: string): string {
  return decode(fragment.replace(/<span class="pm-sr-only">[\s\S]*?<\/span><\/span>/g, '').replace(/<[^>]+>/g, '')).replace(/\s+/g, ' ').trim();
}

export function elementById(html: string, id: string): string | undefined {
  const m = new RegExp(`<(\\w+)\\b[^>]*\\bid="${escapeRe(id)}"[^>]*>([\\s\\S]*?)</\\1>`).exec(html);
  return m ? m[0] : undefined;
}

/** What the browser sends for this form, as @fastify/formbody parses it (repeated names → arrays). */
export function submit(html: string): Record<string, string | string[]> {
  const src = stripTemplates(html);
  const pairs: [string, string][] = [];
  for (const m of src.matchAll(/<(input|select|textarea)\b[^>]*>/g)) {
    const a = attrsOf(m[0]);
    if (a.name === undefined || 'disabled' in a) continue;
    const rest = src.slice(m.index! + m[0].length);
    if (m[1] === 'textarea') pairs.push([a.name, decode(rest.slice(0, rest.indexOf('</textarea>')))]);
    else if (m[1] === 'select') {
      const options = rest.slice(0, rest.indexOf('</select>'));
      const selected = [...options.matchAll(/<option\b[^>]*>/g)].map((o) => attrsOf(o[0])).find((o) => 'selected' in o);
      const first = /<option\b[^>]*>/.exec(options);
      pairs.push([a.name, (selected ?? (first ? attrsOf(first[0]) : { value: '' })).value ?? '']);
    } else if (a.type === 'checkbox' || a.type === 'radio') {
      if ('checked' in a) pairs.push([a.name, a.value ?? 'on']);
    } else {
      pairs.push([a.name, a.value ?? '']);
    }
  }
  const body: Record<string, string | string[]> = {};
  for (const [k, v] of pairs) {
    const prev = body[k];
    body[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return body;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
