// Two things a screen reader user and a citizen with a printer meet at the end of a step or
// the form: a radio group in error says it is invalid where the summary link lands, and the
// review page (and the receipt) print as a paper copy without buttons.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  BASE, SETTLE_MS, assertAccessible, fetchDefinition, fillStep, fillToReview, launch, newPage, nextButton, press,
  tabTo, text, waitForFocusId,
} from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The accessibility tree's focused node and its ancestors, nearest first (Chromium's own tree,
 *  as a screen reader reads it). */
async function focusedWithAncestors(cdp) {
  const { nodes } = await cdp.send('Accessibility.getFullAXTree');
  const byId = new Map(nodes.map((n) => [n.nodeId, n]));
  const prop = (n, name) => n.properties?.find((p) => p.name === name)?.value?.value;
  // The document is focused too: the focused element is the one inside it.
  let node = nodes.find((n) => prop(n, 'focused') === true && n.role?.value !== 'RootWebArea');
  const chain = [];
  while (node) {
    chain.push({
      role: node.role?.value, name: node.name?.value ?? '', description: node.description?.value ?? '',
      invalid: prop(node, 'invalid'),
    });
    node = byId.get(node.parentId);
  }
  return chain;
}

/** Waits (the tree follows the DOM a moment later) until `check(chain)` holds; returns the chain. */
async function waitForTree(page, cdp, check, what) {
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    const chain = await focusedWithAncestors(cdp);
    if (check(chain)) return chain;
    if (Date.now() > deadline) assert.fail(`${what}; the focused node and its ancestors: ${JSON.stringify(chain.slice(0, 4))}`);
    await page.waitForTimeout(100);
  }
}

describe('groups in error', () => {
  test('a radio group in error: the summary link lands on a radio whose group reports invalid and its message', async () => {
    const def = await fetchDefinition('felanmalan');
    const radio = def.steps[0].fields.find((f) => f.type === 'radio' && f.required);
    assert.ok(radio, 'the first step of felanmalan has a required radio group');
    const page = await newPage(browser);
    await page.goto(new URL('?form=felanmalan', BASE).href);
    await press(page, page.getByRole('button', { name: 'Börja fylla i' }), 'Start');
    await page.getByRole('heading', { level: 2, name: text(def.steps[0].title) }).waitFor();
    await press(page, nextButton(page), 'Next with nothing chosen');
    await waitForFocusId(page, 'error-summary', 'the error summary');
    const group = page.getByRole('radiogroup', { name: new RegExp(`^\\s*${text(radio.label)}`) });
    assert.equal(await group.getAttribute('aria-invalid'), 'true', 'the radiogroup is invalid in the DOM');
    await assertAccessible(page, 'a radio group in error');

    const link = page.locator('#error-summary').getByRole('link', { name: new RegExp(`^${text(radio.label)}`) });
    await tabTo(page, link, 'the summary link to the radio group');
    await page.keyboard.press('Enter');
    await waitForFocusId(page, `f-${radio.id}-0`, 'the first radio of the group');
    const message = (await page.locator(`#f-${radio.id}-error`).textContent()).replace(/^Fel:\s*/, '').trim();
    assert.ok(message.length > 0, 'the group shows its message');

    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Accessibility.enable');
    const chain = await waitForTree(page, cdp, (c) => c[0]?.role === 'radio'
      && c.some((n) => n.role === 'radiogroup' && n.invalid === 'true' && n.description.includes(message)),
    'the focused radio is in a radiogroup that is invalid and described by its message');
    assert.equal(chain[0].invalid, 'true', 'the focused radio itself is invalid too');

    // Choosing an option clears the state.
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await page.locator(`#f-${radio.id}-error`).waitFor({ state: 'detached' });
    assert.equal(await group.getAttribute('aria-invalid'), null, 'no longer invalid once answered');
    assert.deepEqual(page.jsErrors, []);
    await page.context().close();
  });

  test('a checkbox group in error: every checkbox is invalid and described by the group', async () => {
    const def = await fetchDefinition('forskola');
    const index = def.steps.findIndex((s) => s.fields.some((f) => f.type === 'checkboxes' && f.required));
    const boxes = def.steps[index].fields.find((f) => f.type === 'checkboxes' && f.required);
    const page = await newPage(browser);
    await page.goto(new URL('?form=forskola', BASE).href);
    await press(page, page.getByRole('button', { name: 'Börja fylla i' }), 'Start');
    // Walk to the step with the checkboxes, answering the steps before it.
    const given = {};
    for (let i = 0; i < index; i++) {
      await page.getByRole('heading', { level: 2, name: text(def.steps[i].title) }).waitFor();
      await fillStep(page, def, def.steps[i], given);
      await press(page, nextButton(page), `Next on step ${i + 1}`);
    }
    await page.getByRole('heading', { level: 2, name: text(def.steps[index].title) }).waitFor();
    await press(page, nextButton(page), 'Next with no box ticked');
    await waitForFocusId(page, 'error-summary', 'the error summary');
    const group = page.getByRole('group', { name: new RegExp(`^\\s*${text(boxes.label)}`) });
    const checkboxes = group.getByRole('checkbox');
    assert.ok(await checkboxes.count() > 0);
    for (const box of await checkboxes.all()) assert.equal(await box.getAttribute('aria-invalid'), 'true');
    assert.ok((await group.getAttribute('aria-describedby')).split(' ').includes(`f-${boxes.id}-error`));
    await assertAccessible(page, 'a checkbox group in error');
    await page.context().close();
  });
});

describe('on paper', () => {
  test('the review page and the receipt print the title, organisation, date and every answer, and no buttons', async () => {
    const def = await fetchDefinition('felanmalan');
    const page = await newPage(browser);
    await page.goto(new URL('?form=felanmalan', BASE).href);
    await press(page, page.getByRole('button', { name: 'Börja fylla i' }), 'Start');
    await fillToReview(page, def);
    await assertAccessible(page, 'review page on screen');
    // On screen, the print heading is not there (not even for a screen reader).
    assert.equal(await page.locator('.print-heading').isVisible(), false);
    const rows = await page.locator('.review-row').evaluateAll((rs) => rs.map((r) => ({
      label: r.querySelector('dt').innerText.trim(), value: r.querySelector('.review-value').innerText.trim(),
    })));
    assert.ok(rows.length > 0);
    const today = await page.evaluate(() => {
      const d = new Date();
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    });

    await page.emulateMedia({ media: 'print' });
    const paper = async (what) => {
      const visibleButtons = await page.locator('button').evaluateAll((bs) => bs.filter((b) => b.checkVisibility()).map((b) => b.innerText));
      assert.deepEqual(visibleButtons, [], `${what}: no button is printed`);
      assert.equal(await page.locator('nav').evaluateAll((ns) => ns.filter((n) => n.checkVisibility()).length), 0, `${what}: no navigation`);
      const printed = await page.evaluate(() => document.body.innerText);
      assert.ok(printed.includes(text(def.title)), `${what}: the form's title`);
      assert.ok(printed.includes(text(def.organisation.name)), `${what}: the organisation`);
      assert.ok(printed.includes(today), `${what}: the date`);
      return printed;
    };
    const printed = await paper('review page');
    for (const { label, value } of rows) {
      assert.ok(printed.includes(label), `the question "${label}" is printed`);
      assert.ok(printed.includes(value), `the answer "${value}" is printed`);
    }
    assert.ok(!printed.includes('Ändra'), 'no Change buttons printed');

    await page.emulateMedia({ media: 'screen' });
    await press(page, page.getByRole('button', { name: 'Skicka in' }), 'Submit');
    await page.locator('#reference').waitFor({ timeout: SETTLE_MS });
    await assertAccessible(page, 'receipt on screen');
    await page.emulateMedia({ media: 'print' });
    const receipt = await paper('receipt');
    for (const { label, value } of rows.filter((r) => r.value !== 'Inte besvarad')) {
      assert.ok(receipt.includes(label) && receipt.includes(value), `the receipt prints "${label}: ${value}"`);
    }
    assert.deepEqual(page.jsErrors, []);
    await page.context().close();
  });
});
