/**
 * The curl examples of a Markdown page, as requests `app.http.inject` can
 * send. Only what the docs use is understood; anything else is an error, so a
 * doc example that this file cannot read fails the test instead of being skipped.
 *
 * Recognised lines in ```sh blocks (with `\` continuations):
 *   curl [-X METHOD] [-H 'Name: value']… [-d 'body' | -F 'name=value' | -F 'name=@file']… URL
 *   NAME=$(curl … | jq -r .path.to.value)   (also .list[0].value)
 */

export interface CurlExample {
  /** The command as written (continuations joined), for messages. */
  source: string;
  /** The heading the example sits under (`### PUT /pm/api/pages?url=/path`). */
  heading: string;
  method: string;
  /** Path and query, without scheme and host. */
  url: string;
  host: string;
  headers: Record<string, string>;
  body: string | undefined;
  /** `-F name=value` and `-F name=@file` parts, in order (a multipart/form-data body). */
  form?: { name: string; value?: string; file?: string }[];
  /** For `NAME=$(curl … | jq -r .a.b)`: set NAME to that value of the JSON answer. */
  capture?: { name: string; path: string[] };
}

/** Commands of every ```sh block, with the heading above each. */
export function shellCommands(markdown: string): { heading: string; command: string }[] {
  const out: { heading: string; command: string }[] = [];
  let heading = '';
  let inSh = false;
  let inOther = false;
  let pending = '';
  for (const line of markdown.split('\n')) {
    if (!inSh && !inOther && /^#{1,6} /.test(line)) heading = line.replace(/^#+ /, '').trim();
    if (/^```/.test(line)) {
      if (inSh || inOther) {
        inSh = inOther = false;
      } else if (/^```(sh|bash|shell)\s*$/.test(line)) inSh = true;
      else inOther = true;
      continue;
    }
    if (!inSh) continue;
    pending += line;
    if (pending.endsWith('\\')) {
      pending = pending.slice(0, -1) + ' ';
      continue;
    }
    if (pending.trim()) out.push({ heading, command: pending.trim() });
    pending = '';
  }
  return out;
}

/** Shell words: '…' is literal, "…" and bare words expand $NAME, \" escapes inside "…". */
export function shellWords(command: string, vars: Record<string, string>): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  const expand = (s: string) =>
    s.replace(/\$(\w+)|\$\{(\w+)\}/g, (_, a: string | undefined, b: string | undefined) => {
      const name = (a ?? b) as string;
      if (!(name in vars)) throw new Error(`$${name} is not set when running: ${command}`);
      return vars[name];
    });
  for (let i = 0; i < command.length; ) {
    const c = command[i];
    if (c === ' ' || c === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end === -1) throw new Error(`unclosed ' in: ${command}`);
      word += command.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let raw = '';
      while (j < command.length && command[j] !== '"') {
        if (command[j] === '\\' && j + 1 < command.length) {
          raw += command[j + 1];
          j += 2;
        } else raw += command[j++];
      }
      if (j >= command.length) throw new Error(`unclosed " in: ${command}`);
      word += expand(raw);
      inWord = true;
      i = j + 1;
    } else {
      let j = i;
      while (j < command.length && !" \t'\"".includes(command[j])) j++;
      word += expand(command.slice(i, j));
      inWord = true;
      i = j;
    }
  }
  if (inWord) words.push(word);
  return words;
}

const IGNORED_FLAGS = new Set(['-s', '-S', '-sS', '-f', '--fail', '--silent', '--show-error', '-i', '--include']);

/** One curl command (or `NAME=$(curl … | jq -r .x)`), or undefined for other shell lines. */
export function parseCurl(command: string, heading: string, vars: Record<string, string>): CurlExample | undefined {
  let capture: CurlExample['capture'];
  let curl = command;
  const cap = /^(\w+)=\$\((curl .*?)\s*\|\s*jq -r \.([\w.[\]]+)\)$/.exec(command);
  if (cap) {
    // `.comments[0].commentId`: an index is one more step of the path.
    capture = { name: cap[1], path: cap[3].replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean) };
    curl = cap[2];
  } else if (!command.startsWith('curl ')) return undefined;

  const words = shellWords(curl, vars);
  let method: string | undefined;
  let target: string | undefined;
  let body: string | undefined;
  const headers: Record<string, string> = {};
  let form: CurlExample['form'];
  for (let i = 1; i < words.length; i++) {
    const w = words[i];
    const next = () => {
      if (i + 1 >= words.length) throw new Error(`${w} needs a value in: ${command}`);
      return words[++i];
    };
    if (w === '-X' || w === '--request') method = next();
    else if (w === '-H' || w === '--header') {
      const h = next();
      const colon = h.indexOf(':');
      if (colon <= 0) throw new Error(`bad header ${JSON.stringify(h)} in: ${command}`);
      headers[h.slice(0, colon).trim().toLowerCase()] = h.slice(colon + 1).trim();
    } else if (w === '-d' || w === '--data' || w === '--data-raw' || w === '--data-binary') body = next();
    else if (w === '-F' || w === '--form') {
      const f = next();
      const eq = f.indexOf('=');
      if (eq <= 0) throw new Error(`bad form part ${JSON.stringify(f)} in: ${command}`);
      const name = f.slice(0, eq);
      const v = f.slice(eq + 1);
      (form ??= []).push(v.startsWith('@') ? { name, file: v.slice(1) } : { name, value: v });
    }
    else if (IGNORED_FLAGS.has(w)) continue;
    else if (w.startsWith('-')) throw new Error(`the docs test does not know the curl flag ${w} in: ${command}`);
    else if (target === undefined) target = w;
    else throw new Error(`two URLs in: ${command}`);
  }
  if (!target) throw new Error(`no URL in: ${command}`);
  const u = new URL(target);
  // As curl does: -d without a Content-Type sends a form; -d without -X is a POST.
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/x-www-form-urlencoded';
  if (form && body !== undefined) throw new Error(`-F and -d together in: ${command}`);
  return { source: command, heading, method: method ?? (body !== undefined || form ? 'POST' : 'GET'), url: u.pathname + u.search, host: u.host, headers, body, form, capture };
}

/** Reads one value out of a JSON answer, as `jq -r .a.b` would print it. */
export function jqPath(json: unknown, path: string[]): string {
  let v: unknown = json;
  for (const k of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  if (v === undefined || v === null) throw new Error(`the answer has no .${path.join('.')}`);
  return typeof v === 'string' ? v : JSON.stringify(v);
}
