/**
 * No script survives in a comment: 200+ XSS vectors (xss-vectors.ts: the project's stored-XSS
 * corpus plus markdown, autolink, entity and website tricks) put into a comment's body, name and
 * website, rendered the way the comments list renders them (body through renderCommentBody, name
 * escaped, website through safeWebsite into an href), loaded in Chromium. What counts as "ran" or
 * "could run" is test/security/xss-browser.ts's (dialogs, PWNED on the console, page errors,
 * window.__pwned, frames navigating away, and a DOM audit for on* attributes, javascript:/data:
 * URLs, foreign scripts, frames).
 *
 * A control page renders a few vectors unsanitised first, so a harness that sees nothing is a failure too.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { renderCommentBody, safeWebsite } from '../../pm-plugins/comments/comment-markdown.js';
import { esc } from '../../src/plugins/plugin.js';
import { BROWSER_SKIP, openXssBrowser, type XssBrowser } from '../security/xss-browser.js';
import { BODY_VECTORS, websites, type Vector } from './xss-vectors.js';

interface Shown {
  name: string;
  website?: string;
  body: string;
}

/** One comment as the comments list shows it. */
export function commentHtml(c: Shown): string {
  const href = c.website === undefined ? undefined : safeWebsite(c.website);
  const name = href ? `<a class="comment-author" href="${esc(href)}" rel="nofollow ugc">${esc(c.name)}</a>` : `<span class="comment-author">${esc(c.name)}</span>`;
  return `<article class="comment"><header>${name}</header><div class="comment-body">${renderCommentBody(c.body)}</div></article>`;
}

const page = (items: string[]) => `<!doctype html><meta charset="utf-8"><title>comments</title><section class="comments">${items.join('\n')}</section>`;

describe('XSS vectors in comments, rendered in Chromium', { skip: BROWSER_SKIP }, () => {
  let server: Server;
  let base: string;
  let browser: XssBrowser;
  const pages = new Map<string, string>();

  before(async () => {
    server = createServer((req, res) => {
      const body = pages.get(new URL(req.url ?? '/', 'http://x').pathname);
      res.writeHead(body ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' }).end(body ?? 'not found');
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await openXssBrowser(base, 'pm_none=1');
  });

  after(async () => {
    await browser?.close();
    await new Promise((ok) => server?.close(ok));
  });

  test('the corpus is big enough', () => {
    assert.ok(BODY_VECTORS.length >= 100, `${BODY_VECTORS.length} vectors`);
  });

  test('control: the same vectors unsanitised are caught by the harness', async () => {
    pages.set('/control', page(['<img src=x onerror="top.__pwned=1">', '<a href="javascript:alert(1)">x</a>', '<svg onload=alert(1)>']));
    const { findings } = await browser.visit('/control');
    assert.ok(findings.length >= 3, `the harness sees unescaped HTML: ${findings.join('\n')}`);
  });

  // Body, name and website each carry the vector; a page holds a batch (many comments per load).
  const fields: [field: string, make: (v: Vector) => Shown][] = [
    ['body', (v) => ({ name: 'Ada', body: v.payload })],
    ['name', (v) => ({ name: v.payload, website: 'https://example.com/', body: 'hello' })],
    ['website', (v) => ({ name: 'Ada', website: v.payload, body: 'hello' })],
  ];
  for (const [field, make] of fields) {
    test(`every vector in the ${field}: nothing runs or could run`, async () => {
      const vectors = field === 'website' ? [...BODY_VECTORS, ...websites.map((payload, i) => ({ id: `website-${i + 1}`, payload }))] : BODY_VECTORS;
      const findings: string[] = [];
      for (let i = 0; i < vectors.length; i += 40) {
        const batch = vectors.slice(i, i + 40);
        const path = `/${field}-${i}`;
        pages.set(path, page(batch.map((v) => `<!-- ${esc(v.id)} -->${commentHtml(make(v))}`)));
        const loaded = await browser.visit(path);
        // A finding names the element, so the vector is found from it; the ids of the batch help.
        findings.push(...loaded.findings.map((f) => `${f} (batch ${batch[0]!.id}…${batch.at(-1)!.id})`));
      }
      assert.deepEqual(findings, [], `ran or could run:\n${findings.join('\n')}`);
    });
  }

  test('the website field: only http(s) hrefs reach the page', () => {
    const hrefs = [...BODY_VECTORS.map((v) => v.payload), ...websites].map(safeWebsite).filter((h): h is string => h !== undefined);
    for (const h of hrefs) assert.match(h, /^https?:\/\/[^/@\s]+\//, h);
  });
});
