// Forms embedded in a host page (issue 16): the demo page `public/demo/` is a municipal article
// page with hostile global CSS, two <blankett-form> elements in two themes and one form in
// iframe mode, served under the receiver's strict Content-Security-Policy. The forms are
// filled and submitted by keyboard with the generic filler, scoped to each element.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';

import {
  BASE, SETTLE_MS, adminGet, assertAccessible, control, fetchDefinition, fillToReview, launch, newPage, nextButton, press,
  text, validValue, waitForFocus, within,
} from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const DEMO = new URL('demo/', BASE).href;
const EVENTS = ['started', 'step', 'draft-saved', 'submitted', 'error'].map((n) => `blankett:${n}`);

/** Records every Blankett event and every CSP violation of the pages `page` opens next. */
function recordEvents(page) {
  return page.addInitScript((names) => {
    window.blankettEvents = [];
    window.cspViolations = [];
    for (const name of names) {
      document.addEventListener(name, (e) => window.blankettEvents.push({ type: e.type, target: e.target?.id, detail: e.detail }));
    }
    document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`), true);
  }, EVENTS);
}

/** Opens the demo page, recording every Blankett event and every CSP violation. */
async function openDemo(page, { block = false } = {}) {
  await recordEvents(page);
  if (block) await page.route('**/embed.js', (r) => r.abort());
  const response = await page.goto(DEMO);
  return response;
}

/** The embedded form `id` as a scope for the shared helpers, once its first step is shown. */
async function form(page, id) {
  const host = page.locator(`#${id}`);
  await host.locator('#step-heading').waitFor({ timeout: SETTLE_MS });
  return within(page, host);
}

/** The events recorded so far of `type` from the element `target`. */
function eventsOf(page, type, target) {
  return page.evaluate(([t, id]) => window.blankettEvents.filter((e) => e.type === t && e.target === id), [type, target]);
}

/** Waits until an event of `type` from `target` was recorded; returns them all. */
async function waitForEvent(page, type, target) {
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    const seen = await eventsOf(page, type, target);
    if (seen.length > 0) return seen;
    if (Date.now() > deadline) assert.fail(`no ${type} from #${target}`);
    await page.waitForTimeout(50);
  }
}

/**
 * Serves a municipality's page on its own origin, under a strict CSP that names the runtime's
 * origin and nothing inline, with one `<blankett-form>` (`id`, `form`, `lang`, `start`) under
 * `heading`; runs `use(hostUrl)` and closes the server afterwards.
 */
async function withHostPage({ heading, id, form: formId, lang }, use) {
  const runtime = new URL(BASE).origin;
  const policy = [
    "default-src 'self'", `script-src 'self' ${runtime} 'wasm-unsafe-eval'`, `connect-src 'self' ${runtime}`,
    "style-src 'self'", `img-src 'self' ${runtime}`, "object-src 'none'", "base-uri 'none'",
  ].join('; ');
  const html = `<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>Kommunen</title>
      <script type="module" src="${runtime}/embed.js" crossorigin="anonymous"></script></head>
      <body><main><h1>${heading}</h1><blankett-form id="${id}" src="${runtime}/forms/${formId}.json" lang="${lang}" start></blankett-form></main></body></html>`;
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': policy });
    res.end(html);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await use(`http://127.0.0.1:${server.address().port}/`);
  } finally {
    server.close();
  }
}

/** Computed styles of the host page's own elements, to compare with and without the forms. */
function hostStyles(page) {
  return page.evaluate(() => {
    const props = ['display', 'font-size', 'font-family', 'color', 'background-color', 'margin-top', 'padding-top', 'border-top-width', 'box-sizing', 'line-height', 'width'];
    const out = {};
    for (const id of ['host-header', 'host-main', 'host-crumbs', 'host-title', 'host-intro', 'host-label', 'host-search', 'host-footer']) {
      const el = document.getElementById(id);
      const cs = getComputedStyle(el);
      out[id] = Object.fromEntries(props.map((p) => [p, cs.getPropertyValue(p)]));
    }
    out.html = getComputedStyle(document.documentElement).getPropertyValue('font-size');
    out.title = document.title;
    out.lang = document.documentElement.lang;
    return out;
  });
}

describe('embedded forms on a municipal page', () => {
  test('both forms are filled and submitted by keyboard, with their events, under a strict CSP', async () => {
    const page = await newPage(browser);
    const response = await openDemo(page);
    const csp = response.headers()['content-security-policy'];
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
    assert.doesNotMatch(csp, /unsafe-inline|'unsafe-eval'/);
    const before = await hostStyles(page);
    for (const [id, formId] of [['form-felanmalan', 'felanmalan'], ['form-parkering', 'parkeringstillstand']]) {
      const def = await fetchDefinition(formId);
      const scoped = await form(page, id);
      await assertAccessible(page, `${id} first step`);
      await fillToReview(scoped, def);
      await assertAccessible(page, `${id} review`);
      await press(page, scoped.getByRole('button', { name: 'Skicka in' }), `Submit ${id}`);
      const reference = page.locator(`#${id}`).locator('#reference');
      await reference.waitFor({ timeout: SETTLE_MS });
      const shown = (await reference.textContent()).trim();
      const stored = await adminGet(`api/submissions/${shown}`);
      assert.equal(stored.status, 200, `${id}: the receiver has ${shown}`);
      assert.equal(stored.body.form_id, formId);
      const submitted = await waitForEvent(page, 'blankett:submitted', id);
      assert.equal(submitted.length, 1, `${id}: one submitted event`);
      assert.equal(submitted[0].detail.reference, shown, `${id}: the event carries the reference shown`);
      assert.equal(submitted[0].detail.form.id, formId);
      await assertAccessible(page, `${id} receipt`);
    }
    // The events of each form: started once, a step event per page, drafts saved, no answers.
    for (const [id, formId] of [['form-felanmalan', 'felanmalan'], ['form-parkering', 'parkeringstillstand']]) {
      const started = await eventsOf(page, 'blankett:started', id);
      assert.equal(started.length, 1, `${id}: started once`);
      const steps = await eventsOf(page, 'blankett:step', id);
      assert.deepEqual([...new Set(steps.map((e) => e.detail.page))], ['step', 'review', 'receipt'], `${id}: the pages in order`);
      assert.ok(steps.every((e) => e.detail.form.id === formId));
      const firstStep = steps.find((e) => e.detail.page === 'step');
      assert.equal(firstStep.detail.number, 1);
      assert.ok(firstStep.detail.of >= 1);
      assert.ok((await eventsOf(page, 'blankett:draft-saved', id)).length > 0, `${id}: drafts saved`);
      assert.deepEqual(await eventsOf(page, 'blankett:error', id), [], `${id}: no errors`);
    }
    const all = JSON.stringify(await page.evaluate(() => window.blankettEvents));
    assert.doesNotMatch(all, /19\d{6}-?\d{4}/, 'no personnummer (or any answer) in an event');
    assert.deepEqual(await page.evaluate(() => window.cspViolations), [], 'no CSP violations');
    assert.deepEqual(page.jsErrors, []);
    // The host page is still the host's: its title, language and look.
    assert.deepEqual(await hostStyles(page), before);
    await page.context().close();
  });

  test("the host's CSS hides nothing in the forms, and the forms change nothing of the host", async () => {
    const bare = await newPage(browser);
    await openDemo(bare, { block: true });
    const without = await hostStyles(bare);
    await bare.context().close();

    const page = await newPage(browser);
    await openDemo(page);
    for (const id of ['form-felanmalan', 'form-parkering']) {
      await form(page, id);
      const report = await page.locator(`#${id}`).evaluate((host) => {
        const root = host.shadowRoot;
        const shown = (el) => {
          const cs = getComputedStyle(el);
          const r = el.getBoundingClientRect();
          return cs.display !== 'none' && cs.visibility === 'visible' && r.width > 0 && r.height > 0;
        };
        return {
          labels: [...root.querySelectorAll('label, legend')].filter((l) => !l.closest('[hidden]') && !l.classList.contains('visually-hidden')).filter((l) => !shown(l)).map((l) => l.textContent),
          inputs: [...root.querySelectorAll('input:not([type=radio]):not([type=checkbox]), textarea, select')].filter((i) => getComputedStyle(i).borderTopWidth === '0px' || !shown(i)).map((i) => i.id),
          hiddenShown: [...root.querySelectorAll('[hidden]')].filter((h) => getComputedStyle(h).display !== 'none').length,
          boxSizing: getComputedStyle(root.querySelector('.bk-app')).boxSizing,
          autocomplete: [...root.querySelectorAll('[autocomplete]')].map((i) => i.getAttribute('autocomplete')),
          ids: [...root.querySelectorAll('[id]')].map((e) => e.id).filter((x) => document.getElementById(x) !== null),
        };
      });
      assert.deepEqual(report.labels, [], `${id}: every label shown`);
      assert.deepEqual(report.inputs, [], `${id}: every input shown with its border`);
      assert.equal(report.hiddenShown, 0, `${id}: [hidden] stays hidden`);
      assert.equal(report.boxSizing, 'border-box', `${id}: its own box model`);
      assert.deepEqual(report.ids, [], `${id}: none of its ids is in the host's document`);
      if (id === 'form-parkering') assert.ok(report.autocomplete.includes('given-name'), `autocomplete reaches the inputs: ${report.autocomplete}`);
    }
    assert.deepEqual(await hostStyles(page), without, 'the host looks the same with and without the forms');
    await page.context().close();
  });

  test('error summary links move focus inside the shadow root', async () => {
    const page = await newPage(browser);
    await openDemo(page);
    const scoped = await form(page, 'form-parkering');
    await press(page, scoped.getByRole('button', { name: 'Nästa' }), 'Next without answers');
    const summary = scoped.getByRole('group', { name: 'Rätta följande innan du går vidare' });
    await waitForFocus(page, summary, 'the error summary');
    await assertAccessible(page, 'parkering errors');
    const link = summary.getByRole('link').first();
    const target = (await link.getAttribute('href')).slice(1);
    await page.keyboard.press('Tab');
    await waitForFocus(page, link, 'the first link of the summary');
    await page.keyboard.press('Enter');
    await waitForFocus(page, page.locator('#form-parkering').locator(`[id="${target}"]`), `the control #${target} inside the form`);
    // The other form's same ids are untouched: its summary was never shown.
    assert.equal(await page.locator('#form-felanmalan').locator('#error-summary').count(), 0);
    await page.context().close();
  });

  test("a draft on a host page is kept, offered again and can be deleted there", async () => {
    const page = await newPage(browser);
    await openDemo(page);
    const scoped = await form(page, 'form-parkering');
    await scoped.getByLabel(/^Förnamn/).fill('Kim');
    const saved = await waitForEvent(page, 'blankett:draft-saved', 'form-parkering');
    assert.equal(saved[0].detail.form.id, 'parkeringstillstand');
    assert.ok(saved[0].detail.form.version);
    const drafts = () => page.evaluate(() => new Promise((resolve) => {
      const open = indexedDB.open('blankett');
      open.onsuccess = () => {
        const db = open.result;
        if (!db.objectStoreNames.contains('drafts')) { db.close(); resolve(0); return; }
        const count = db.transaction('drafts').objectStore('drafts').count();
        count.onsuccess = () => { db.close(); resolve(count.result); };
      };
      open.onerror = () => resolve(-1);
    }));
    assert.equal(await drafts(), 1, "the draft is on the device, under the host page's origin");
    await page.reload();
    const host = page.locator('#form-parkering');
    const offer = host.getByRole('region', { name: /^Du har ett påbörjat ärende/ });
    await offer.waitFor({ timeout: SETTLE_MS });
    // No drafts page on a host page: the privacy notice and the offer say where to delete.
    assert.equal(await offer.getByRole('link').count(), 0, 'no link to a drafts page the citizen cannot reach');
    await assertAccessible(page, 'offer on the host page');
    await press(page, offer.getByRole('button', { name: 'Radera det påbörjade ärendet' }), 'Delete the draft');
    await host.getByRole('status').filter({ hasText: 'Det påbörjade ärendet är raderat från enheten.' }).waitFor({ timeout: SETTLE_MS });
    assert.equal(await drafts(), 0, 'deleted from the device');
    assert.equal(await offer.count(), 0);
    await page.context().close();
  });

  test("the definition's theme and logo, below the host's own CSS", async () => {
    const primary = (host) => nextButton(host).evaluate((b) => getComputedStyle(b).backgroundColor);
    // On the app's own page: the organisation's colour and logo.
    const own = await newPage(browser);
    await own.goto(new URL('?form=tema&start=1&lang=sv', BASE).href);
    await own.locator('#step-heading').waitFor({ timeout: SETTLE_MS });
    assert.equal(await primary(own), 'rgb(122, 31, 92)');
    const logo = own.getByRole('img', { name: 'Temaby kommun' });
    await logo.waitFor();
    await own.waitForFunction(() => document.querySelector('img.bk-logo')?.naturalWidth > 0, null, { timeout: SETTLE_MS });
    assert.match(await logo.getAttribute('src'), /\/forms\/tema-logo\.svg$/, "read from the definition's address");
    await assertAccessible(own, 'themed form');
    await own.context().close();
    // On the demo page: with the host's theme class the host's colour wins; without, the definition's.
    const page = await newPage(browser);
    await openDemo(page);
    await form(page, 'form-felanmalan');
    await page.evaluate(() => {
      for (const [id, cls] of [['tema-host', 'norrvik'], ['tema-own', '']]) {
        const el = document.createElement('blankett-form');
        el.id = id;
        if (cls) el.className = cls;
        el.setAttribute('src', '../forms/tema.json');
        el.setAttribute('start', '');
        document.querySelector('main').append(el);
      }
    });
    const hostThemed = await form(page, 'tema-host');
    const ownThemed = await form(page, 'tema-own');
    assert.equal(await primary(hostThemed), 'rgb(0, 89, 79)', "the host's --bk-primary wins");
    assert.equal(await primary(ownThemed), 'rgb(122, 31, 92)', "the definition's colour where the host sets none");
    assert.equal(await page.locator('#tema-own').evaluate((h) => getComputedStyle(h.shadowRoot.querySelector('.bk-root')).fontFamily), 'Georgia, serif');
    await assertAccessible(page, 'themed forms on the host page');
    await page.context().close();
  });

  test('a form that cannot load says so in its place and tells the host', async () => {
    const page = await newPage(browser);
    await openDemo(page);
    await form(page, 'form-felanmalan');
    await page.evaluate(() => {
      const el = document.createElement('blankett-form');
      el.id = 'form-missing';
      el.setAttribute('src', '../forms/finns-inte.json');
      document.querySelector('main').append(el);
    });
    const [error] = await waitForEvent(page, 'blankett:error', 'form-missing');
    assert.equal(error.detail.kind, 'load');
    assert.match(error.detail.url, /finns-inte\.json$/);
    assert.match(error.detail.message, /404/);
    await page.locator('#form-missing').getByRole('alert').waitFor({ timeout: SETTLE_MS });
    // The other forms on the page go on.
    assert.equal(await page.locator('#form-felanmalan').locator('#step-heading').count(), 1);
    await page.context().close();
  });

  test('iframe mode: the frame grows with its content, errors and steps, and never scrolls inside', async () => {
    const page = await newPage(browser);
    await openDemo(page);
    const element = page.locator('#form-forskola');
    const iframe = element.locator('iframe');
    await iframe.waitFor();
    const frame = page.frameLocator('#form-forskola iframe');
    await frame.locator('#step-heading').waitFor({ timeout: SETTLE_MS });
    await waitForEvent(page, 'blankett:step', 'form-forskola');
    assert.equal(await iframe.getAttribute('title'), 'Ansök om förskoleplats', "the host's name for the frame stays");
    const fits = async () => {
      const [frameHeight, content] = await Promise.all([
        iframe.evaluate((f) => f.getBoundingClientRect().height),
        frame.locator('html').evaluate((h) => Math.ceil(h.getBoundingClientRect().height)),
      ]);
      return Math.abs(frameHeight - content) <= 1 ? frameHeight : null;
    };
    const waitFits = async (what, test = () => true) => {
      const deadline = Date.now() + SETTLE_MS;
      for (;;) {
        const h = await fits();
        if (h !== null && test(h)) return h;
        if (Date.now() > deadline) assert.fail(`the frame does not fit its content ${what}`);
        await page.waitForTimeout(50);
      }
    };
    const first = await waitFits('on the first step');
    await frame.getByRole('button', { name: 'Nästa' }).click();
    await frame.getByRole('group', { name: 'Rätta följande innan du går vidare' }).waitFor();
    const withErrors = await waitFits('with the error summary', (h) => h > first);
    assert.ok(withErrors > first, `taller with errors: ${first} → ${withErrors}`);
    const scroll = await frame.locator('html').evaluate((h) => h.scrollHeight - h.clientHeight);
    assert.ok(scroll <= 1, `no scrolling inside the frame (${scroll}px)`);
    // The next step: the frame takes that page's height.
    const def = await fetchDefinition('forskola');
    const given = {};
    for (const field of def.steps[0].fields) {
      const value = validValue(field, given);
      given[field.id] = value;
      await control(frame, field).fill(value);
    }
    // By keyboard: focus leaves the last field before Next is pressed.
    await frame.getByRole('button', { name: 'Nästa' }).press('Enter');
    await frame.getByRole('heading', { name: text(def.steps[1].title) }).waitFor({ timeout: SETTLE_MS });
    const second = await waitFits('on the second step', (h) => h !== withErrors);
    assert.notEqual(second, withErrors, `the height follows the step: ${withErrors} → ${second}`);
    // The frame's events reach the host as the element's own.
    const steps = await waitForEvent(page, 'blankett:step', 'form-forskola');
    assert.ok(steps.some((e) => e.detail.number === 2), 'the second step was told to the host');
    await page.context().close();
  });

  test('at 320 px, with 200 % text and in forced colours the forms stay usable', async () => {
    const page = await newPage(browser);
    await page.setViewportSize({ width: 320, height: 640 });
    await openDemo(page);
    for (const id of ['form-felanmalan', 'form-parkering']) await form(page, id);
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(await overflow() <= 0, `no horizontal scrolling at 320 px (${await overflow()} px)`);
    const small = await page.evaluate(() => [...document.querySelectorAll('blankett-form')].flatMap((host) =>
      [...(host.shadowRoot?.querySelectorAll('button, input, select, textarea, summary') ?? [])]
        .filter((el) => el.getClientRects().length > 0)
        .map((el) => [el.id || el.textContent.trim().slice(0, 30), el.getBoundingClientRect()])
        .filter(([, r]) => r.width < 24 || r.height < 24)
        .map(([name, r]) => `${host.id} ${name} ${r.width}×${r.height}`)));
    assert.deepEqual(small, [], 'touch targets of at least 24×24 px');
    await assertAccessible(page, 'demo at 320 px');

    // 200 % text: the reader's larger default text size (rem) reaches the forms.
    await page.setViewportSize({ width: 1280, height: 800 });
    const sizes = () => page.locator('#form-parkering').locator('#step-heading').evaluate((h) => [
      parseFloat(getComputedStyle(h).fontSize), parseFloat(getComputedStyle(document.documentElement).fontSize)]);
    const [before, rootBefore] = await sizes();
    await page.evaluate(() => document.documentElement.style.setProperty('font-size', '200%'));
    const [after, rootAfter] = await sizes();
    assert.ok(rootAfter > rootBefore, 'the root text is larger');
    assert.ok(Math.abs(after / before - rootAfter / rootBefore) < 0.01, `the form's text grows with the reader's size: ${before} → ${after} (root ${rootBefore} → ${rootAfter})`);
    assert.ok(await overflow() <= 0, 'no horizontal scrolling at 200 % text');

    // Forced colours: focus and errors keep a visible edge.
    await page.evaluate(() => document.documentElement.style.removeProperty('font-size'));
    await page.emulateMedia({ forcedColors: 'active' });
    const scoped = within(page, page.locator('#form-parkering'));
    await press(page, scoped.getByRole('button', { name: 'Nästa' }), 'Next without answers');
    const summary = scoped.getByRole('group', { name: 'Rätta följande innan du går vidare' });
    await waitForFocus(page, summary, 'the error summary');
    const summaryEdge = await summary.evaluate((el) => { const cs = getComputedStyle(el); return [cs.outlineStyle, cs.outlineWidth, cs.borderTopStyle]; });
    assert.notEqual(summaryEdge[0], 'none', `the focused summary has an outline: ${summaryEdge}`);
    assert.equal(summaryEdge[2], 'solid');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const focused = await page.locator('#form-parkering').evaluate((host) => {
      const a = host.shadowRoot.activeElement;
      const cs = getComputedStyle(a);
      const field = a.closest('.field--error');
      return { outline: cs.outlineStyle, width: parseFloat(cs.outlineWidth), field: field ? getComputedStyle(field).borderLeftStyle : null };
    });
    assert.notEqual(focused.outline, 'none', 'the focused control shows its focus');
    assert.ok(focused.width >= 2);
    assert.equal(focused.field, 'solid', 'the field in error keeps its edge');
    await page.context().close();
  });

  test('a form embedded in Arabic is right to left inside its element; the host page keeps its own language and direction', async () => {
    await withHostPage({ heading: 'Parkeringstillstånd', id: 'ar', form: 'parkeringstillstand', lang: 'ar' }, async (host) => {
      const page = await newPage(browser);
      await page.goto(host);
      const def = await fetchDefinition('parkeringstillstand');
      const scoped = await form(page, 'ar');
      await scoped.getByRole('heading', { level: 2, name: text(def.steps[0].title, 'ar') }).waitFor({ timeout: SETTLE_MS });
      const roots = await page.evaluate(() => {
        const container = document.getElementById('ar').shadowRoot.querySelector('[lang]');
        return {
          lang: container?.getAttribute('lang'), dir: container?.getAttribute('dir'),
          direction: container && getComputedStyle(container).direction,
          html: [document.documentElement.lang, document.documentElement.getAttribute('dir')],
        };
      });
      assert.deepEqual(roots, { lang: 'ar', dir: 'rtl', direction: 'rtl', html: ['sv', null] });
      const pnr = def.steps[0].fields.find((f) => f.type === 'personnummer');
      const input = scoped.getByLabel(new RegExp(`^\\s*${text(pnr.label, 'ar')}`));
      assert.equal(await input.evaluate((el) => getComputedStyle(el).direction), 'ltr');
      await assertAccessible(page, 'a form embedded in Arabic');
      assert.deepEqual(page.jsErrors, []);
      await page.context().close();
    });
  });

  test('a host page on another origin embeds a form under its own strict CSP and submits it', async () => {
    // The municipality's page on its own server; the runtime, the form and the receiver on
    // Blankett's. The host's policy names the runtime's origin and nothing inline.
    await withHostPage({ heading: 'Felanmälan', id: 'far', form: 'felanmalan', lang: 'sv' }, async (host) => {
      const page = await newPage(browser);
      await recordEvents(page);
      assert.notEqual(new URL(host).origin, new URL(BASE).origin);
      await page.goto(host);
      const scoped = await form(page, 'far');
      await fillToReview(scoped, await fetchDefinition('felanmalan'));
      await press(page, scoped.getByRole('button', { name: 'Skicka in' }), 'Submit');
      const reference = page.locator('#far').locator('#reference');
      await reference.waitFor({ timeout: SETTLE_MS });
      const shown = (await reference.textContent()).trim();
      assert.equal((await adminGet(`api/submissions/${shown}`)).status, 200, 'the receiver has it');
      assert.equal((await waitForEvent(page, 'blankett:submitted', 'far'))[0].detail.reference, shown);
      assert.deepEqual(await page.evaluate(() => window.cspViolations), [], 'no CSP violations on the host');
      assert.deepEqual(page.jsErrors, []);
      await page.context().close();
    });
  });
});
