// Every citizen's language: the switch offers exactly the definition's languages by their own
// names and keeps the choice; the Arabic version of an example form is right to left, with
// numbers left to right inside it, and its error summary still leads to each field.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  BASE, SETTLE_MS, assertAccessible, fetchDefinition, fillToReview, launch, newPage, press, tabTo, text,
  waitForFocusId,
} from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The language switch's buttons: [name, lang attribute, aria-current]. */
async function switchButtons(page) {
  const nav = page.getByRole('navigation', { name: /^(Språk|Language|اللغة|Kieli)$/ });
  await nav.waitFor({ timeout: SETTLE_MS });
  return nav.getByRole('button').evaluateAll((bs) => bs.map((b) => [b.textContent.trim(), b.lang, b.getAttribute('aria-current')]));
}

/** Presses Shift+Tab until `locator` has focus (the summary is above the fields). */
async function shiftTabTo(page, locator, what) {
  for (let i = 0; i < 80; i++) {
    if (await locator.evaluate((el) => el === document.activeElement, null, { timeout: SETTLE_MS })) return;
    await page.keyboard.press('Shift+Tab');
  }
  assert.fail(`could not reach ${what} with Shift+Tab`);
}

describe('the language switch', () => {
  test('offers every language of the definition by its own name and remembers the choice', async () => {
    const def = await fetchDefinition('parkeringstillstand');
    assert.deepEqual(def.languages, ['sv', 'en', 'ar'], 'the example offers Swedish, English and Arabic');
    const page = await newPage(browser);
    await page.goto(new URL('?form=parkeringstillstand', BASE).href);
    await page.getByRole('heading', { level: 1, name: text(def.title, 'sv') }).waitFor();
    assert.deepEqual(await switchButtons(page), [['Svenska', 'sv', 'true'], ['English', 'en', null], ['العربية', 'ar', null]]);
    await assertAccessible(page, 'three languages offered');

    await press(page, page.getByRole('button', { name: 'العربية' }), 'العربية');
    await page.getByRole('heading', { level: 1, name: text(def.title, 'ar') }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'ar');
    assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
    assert.deepEqual((await switchButtons(page)).map(([n, , c]) => [n, c]), [['Svenska', null], ['English', null], ['العربية', 'true']]);
    // The choice is kept: in the address, so a reload (or a link shared) opens in Arabic.
    assert.equal(new URL(page.url()).searchParams.get('lang'), 'ar');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: text(def.title, 'ar') }).waitFor();
    assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
    await press(page, page.getByRole('button', { name: 'Svenska' }), 'Svenska');
    await page.getByRole('heading', { level: 1, name: text(def.title, 'sv') }).waitFor();
    assert.equal(await page.locator('html').getAttribute('dir'), 'ltr');
    await page.context().close();
  });

  test('a definition without languages offers Swedish and English, as before; a language it lacks opens in its first', async () => {
    const def = await fetchDefinition('felanmalan');
    assert.equal(def.languages, undefined);
    const page = await newPage(browser);
    await page.goto(new URL('?form=felanmalan&lang=fi', BASE).href);
    await page.getByRole('heading', { level: 1, name: text(def.title, 'sv') }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'sv', 'Finnish is not offered: Swedish, the first language');
    assert.deepEqual(await switchButtons(page), [['Svenska', 'sv', 'true'], ['English', 'en', null]]);
    await page.context().close();
  });
});

describe('right to left', () => {
  test('the Arabic example: axe clean, dir="rtl", a personnummer left to right, the summary links focus their fields', async () => {
    const def = await fetchDefinition('parkeringstillstand');
    const step = def.steps[0];
    const pnr = step.fields.find((f) => f.type === 'personnummer');
    const page = await newPage(browser);
    await page.goto(new URL('?form=parkeringstillstand&lang=ar', BASE).href);
    await page.getByRole('heading', { level: 1, name: text(def.title, 'ar') }).waitFor();
    assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('#main')).direction), 'rtl');
    await assertAccessible(page, 'Arabic start page');
    // The interface speaks Arabic too (its own language file).
    await press(page, page.getByRole('button', { name: 'ابدأ بملء الاستمارة' }), 'Start');
    await page.getByRole('heading', { level: 2, name: text(step.title, 'ar') }).waitFor();

    const input = page.getByLabel(new RegExp(`^\\s*${text(pnr.label, 'ar')}`));
    assert.equal(await input.getAttribute('dir'), 'ltr');
    await tabTo(page, input, 'the personnummer field');
    await page.keyboard.type('19121212-1213');
    assert.equal(await input.evaluate((el) => getComputedStyle(el).direction), 'ltr', 'the digits run left to right');
    await page.keyboard.press('Tab');
    await press(page, page.getByRole('button', { name: 'التالي', exact: true }), 'Next (التالي)');
    await waitForFocusId(page, 'error-summary', 'the error summary');
    const summary = page.locator('#error-summary');
    assert.match(await summary.locator('h2').textContent(), /صحّح ما يلي قبل أن تتابع/);
    await assertAccessible(page, 'Arabic error state');
    // The answers' messages are in Arabic too (the interface's language file), so no part of
    // the summary is marked as another language.
    const links = summary.getByRole('link');
    const count = await links.count();
    assert.ok(count >= 3, `the empty required fields are listed (${count})`);
    assert.equal(await summary.locator('[lang]').count(), 0, 'nothing in the summary is in another language');
    assert.match(await summary.textContent(), /الرقم الشخصي غير صحيح/, 'the personnummer message in Arabic');
    assert.match(await summary.textContent(), /املأ هذا الحقل/, 'the required message in Arabic');
    // Every link moves focus to its field, in the order of the page.
    const targets = await links.evaluateAll((as) => as.map((a) => a.getAttribute('href').slice(1)));
    for (const [i, target] of targets.entries()) {
      await shiftTabTo(page, links.nth(i), `summary link ${i + 1}`);
      await page.keyboard.press('Enter');
      await waitForFocusId(page, target, `the field of summary link ${i + 1}`);
    }
    assert.equal(await input.getAttribute('aria-invalid'), 'true');
    assert.deepEqual(page.jsErrors, []);
    await page.context().close();
  });

  test('on the Arabic review page, the personnummer, dates and numbers are isolated left to right', async () => {
    const def = await fetchDefinition('parkeringstillstand');
    const page = await newPage(browser);
    await page.goto(new URL('?form=parkeringstillstand', BASE).href);
    await press(page, page.getByRole('button', { name: 'Börja fylla i' }), 'Start');
    await fillToReview(page, def);
    await press(page, page.getByRole('button', { name: 'العربية' }), 'العربية');
    await page.getByRole('heading', { level: 2, name: 'راجع إجاباتك' }).waitFor();
    const isolated = await page.locator('.review-value bdi[dir="ltr"]').allTextContents();
    assert.ok(isolated.includes('19121212-1212'), `the personnummer is isolated: ${isolated}`);
    assert.ok(isolated.some((v) => /^\d{4}-\d{2}-\d{2}$/.test(v)), `a date is isolated: ${isolated}`);
    await assertAccessible(page, 'Arabic review page');
    await page.context().close();
  });
});
