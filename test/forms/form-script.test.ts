import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { FORM_SCRIPT, FORM_STYLES, parseFormBody, renderForm } from '../../src/forms/index.js';
import type { JsonSchema } from '../../src/forms/index.js';
import { chromiumSkip, launchChromium } from '../browser/chromium.js';

// The array buttons with JavaScript on, in a real browser. Skipped where Chromium is not installed (not under CI).
const skip = chromiumSkip('FORM_SCRIPT in a browser');

const schema: JsonSchema = {
  type: 'object',
  properties: {
    sections: {
      type: 'array',
      maxItems: 4,
      items: {
        type: 'object',
        title: 'Section',
        properties: {
          heading: { type: 'string' },
          layout: { enum: ['wide', 'narrow'] },
          links: { type: 'array', items: { type: 'string', title: 'Link' } },
        },
      },
    },
  },
};

function page(data: unknown): string {
  return `<!doctype html><html><head><style>${FORM_STYLES}</style></head><body>
<form method="post" action="/nowhere" id="f">${renderForm(schema, data)}<button id="save">Save</button></form>
<script>${FORM_SCRIPT}</script></body></html>`;
}

/** What the browser would send, grouped the way @fastify/formbody does. */
async function formBody(tab: Page): Promise<Record<string, string | string[]>> {
  return tab.evaluate(() => {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of new FormData(document.getElementById('f') as HTMLFormElement)) {
      const prev = out[k];
      out[k] = prev === undefined ? String(v) : Array.isArray(prev) ? [...prev, String(v)] : [prev, String(v)];
    }
    return out;
  });
}

describe('FORM_SCRIPT in a browser', { skip }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  it('adds, moves and removes items client-side and the body parses to what the user sees', async () => {
    const tab = await browser.newPage();
    let submitted = false;
    tab.on('request', (r) => {
      if (r.method() === 'POST') submitted = true;
    });
    await tab.setContent(page({ sections: [{ heading: 'A', layout: 'narrow', links: ['a1'] }, { heading: 'B', layout: 'wide' }] }));

    await tab.click('button[value="add:sections"]');
    assert.equal(await tab.evaluate(() => (document.activeElement as HTMLInputElement).name), 'sections[2][heading]', 'focus moves into the new item');
    await tab.keyboard.type('C');
    await tab.click('button[value="add:sections.2.links"]');
    await tab.keyboard.type('c1');
    await tab.click('button[value="up:sections.2"]');
    await tab.click('button[value="up:sections.1"]');
    await tab.click('button[value="remove:sections.2"]');

    assert.equal(submitted, false, 'no round trip to the server');
    assert.deepEqual(parseFormBody(schema, await formBody(tab)), {
      sections: [
        { heading: 'C', links: ['c1'] },
        { heading: 'A', layout: 'narrow', links: ['a1'] },
      ],
    });

    const state = await tab.evaluate(() => ({
      legends: [...document.querySelectorAll('.pm-array-items > [data-pm-item] > legend')].map((l) => l.textContent),
      disabled: [...document.querySelectorAll('button[name="_pm_form_op"]')].filter((b) => (b as HTMLButtonElement).disabled).map((b) => (b as HTMLButtonElement).value),
      badLabels: [...document.querySelectorAll('label[for]')].filter((l) => !document.getElementById(l.getAttribute('for')!)).length,
      ids: [...document.querySelectorAll('[id]')].map((e) => e.id),
    }));
    assert.deepEqual(state.legends, ['Section 1', 'Section 2']);
    assert.deepEqual(state.disabled.sort(), ['down:sections.0.links.0', 'down:sections.1', 'down:sections.1.links.0', 'up:sections.0', 'up:sections.0.links.0', 'up:sections.1.links.0']);
    assert.equal(state.badLabels, 0, 'every label still points at its control');
    assert.equal(new Set(state.ids).size, state.ids.length, 'ids stay unique');
  });

  it('disables Add at maxItems', async () => {
    const tab = await browser.newPage();
    await tab.setContent(page({ sections: [{}, {}, {}] }));
    await tab.click('button[value="add:sections"]');
    assert.equal(await tab.isDisabled('button[value="add:sections"]'), true);
    await tab.click('button[value="remove:sections.0"]');
    assert.equal(await tab.isDisabled('button[value="add:sections"]'), false);
  });
});
