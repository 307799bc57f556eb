/**
 * Renders one rich example form (every widget, some errors) to test-output/form-example.html
 * and screenshots it with Chromium, before and after using the array buttons with JavaScript.
 * Run: node --import tsx scripts/screenshot-form.ts   (needs /usr/bin/chromium or PM_CHROMIUM)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { createFormValidator, FORM_SCRIPT, FORM_STYLES, parseFormBody, renderForm } from '../src/forms/index.js';
import type { JsonSchema } from '../src/forms/index.js';

const schema: JsonSchema = {
  type: 'object',
  required: ['title', 'author'],
  properties: {
    title: { type: 'string', title: 'Title', description: 'Shown in the browser tab and in search results.', maxLength: 80 },
    body: { type: 'string', format: 'markdown', title: 'Body', description: 'Markdown: **bold**, *italic*, [links](https://example.com).' },
    email: { type: 'string', format: 'email', title: 'Contact email' },
    website: { type: 'string', format: 'uri' },
    publishedOn: { type: 'string', format: 'date' },
    accent: { type: 'string', format: 'color', title: 'Accent colour', default: '#336699' },
    views: { type: 'integer', minimum: 0 },
    featured: { type: 'boolean', title: 'Feature on the home page' },
    layout: { enum: ['wide', 'narrow'], 'x-enum-labels': ['Wide', 'Narrow'], default: 'wide' },
    category: { type: 'string', enum: ['news', 'howto', 'review', 'opinion', 'interview'], 'x-enum-labels': ['News', 'How-to', 'Review', 'Opinion', 'Interview'] },
    author: {
      type: 'object',
      title: 'Author',
      required: ['name'],
      properties: { name: { type: 'string' }, twitterHandle: { type: 'string', pattern: '^@\\w+$', 'x-pattern-message': 'Start with @, like @ann.' } },
    },
    tags: { type: 'array', title: 'Tags', items: { type: 'string', title: 'Tag' }, maxItems: 5 },
    images: { type: 'array', title: 'Gallery', items: { $ref: '#/$defs/image' } },
  },
  $defs: {
    image: {
      type: 'object',
      title: 'Image',
      required: ['src'],
      properties: { src: { type: 'string', format: 'uri', title: 'Image URL' }, caption: { type: 'string' } },
    },
  },
};

// What a user might submit: mostly fine, a few mistakes the server sends back.
const body = {
  title: 'Spring <script>alert("hi")</script> garden tour',
  body: '# Spring\n\nThe **tulips** are out.',
  email: 'ann-at-example.com',
  website: 'https://example.com/',
  publishedOn: '2024-04-12',
  accent: '#2e7d32',
  views: '12abc',
  featured: ['false', 'true'],
  layout: 'narrow',
  category: 'review',
  'author[name]': '',
  'author[twitterHandle]': 'ann',
  'tags[0]': 'garden',
  'tags[1]': 'spring',
  'images[0][src]': 'https://example.com/tulips.jpg',
  'images[0][caption]': 'Tulips by the pond',
  'images[1][caption]': 'Forgot the URL',
};

const data = parseFormBody(schema, body);
const result = createFormValidator().validate(schema, data);
const fields = renderForm(schema, data, { errors: result.ok ? {} : result.errors });
const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Form example</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:2rem;max-width:48rem;color:#1d1f23}${FORM_STYLES}</style>
</head><body>
<h1>Edit post</h1>
<form method="post" action="#" novalidate>
<input type="hidden" name="_csrf" value="example">
${fields}
<p><button type="submit">Save</button></p>
</form>
<script>${FORM_SCRIPT}</script>
</body></html>`;

const outDir = join(import.meta.dirname, '..', 'test-output');
mkdirSync(outDir, { recursive: true });
const htmlPath = join(outDir, 'form-example.html');
writeFileSync(htmlPath, page);

const browser = await chromium.launch({
  executablePath: process.env.PM_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const tab = await browser.newPage({ viewport: { width: 900, height: 900 } });
  await tab.goto(`file://${htmlPath}`);
  await tab.screenshot({ path: join(outDir, 'form-example.png'), fullPage: true });
  // Client-side array editing: add a tag, move the second image up.
  await tab.click('button[value="add:tags"]');
  await tab.keyboard.type('flowers');
  await tab.click('button[value="up:images.1"]');
  await tab.screenshot({ path: join(outDir, 'form-example-after-js.png'), fullPage: true });
  console.log(`wrote ${htmlPath} and two screenshots in ${outDir}`);
} finally {
  await browser.close();
}
