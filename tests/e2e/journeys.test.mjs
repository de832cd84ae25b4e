// Whole journeys, as a citizen on a phone with only a keyboard: every form the receiver
// serves (the examples and test forms nobody wrote the runtime for), start to receipt,
// with axe-core in every state and the stored row checked through the receiver.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  BASE, adminGet, answer, assertAccessible, fetchDefinition, formIds, launch, newPage, nextButton, press,
  questions, tabTo, text, validValue,
} from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Fills every step of `def` (already started) and returns the answers given, by field id. */
async function fillAllSteps(page, def) {
  const given = {};
  const total = def.steps.length + 1;
  for (const [i, step] of def.steps.entries()) {
    await page.getByRole('heading', { level: 2, name: text(step.title) }).waitFor();
    assert.ok(await page.getByText(`Steg ${i + 1} av ${total}`).isVisible(), `progress on step ${i + 1}`);
    assert.equal(await page.title(), `Steg ${i + 1} av ${total}: ${text(step.title)} – ${text(def.title)}`);
    await assertAccessible(page, `${def.id} step ${i + 1}`);
    for (const field of questions(step.fields)) {
      const value = validValue(field, given);
      if (value === null) {
        assert.ok(!field.required, `${def.id}.${field.id}: the test cannot make a value for a required pattern`);
        continue;
      }
      await answer(page, field, value);
      given[field.id] = value;
    }
    await press(page, nextButton(page), `Next on step ${i + 1}`);
  }
  await page.getByRole('heading', { level: 2, name: 'Granska dina svar' }).waitFor();
  return given;
}

function normalized(field, value) {
  switch (field.type) {
    case 'yes_no': return value === 'yes';
    case 'number': case 'integer': return Number(value);
    case 'personnummer': return '19121212-1212';
    default: return value;
  }
}

describe('every form, start to receipt, keyboard only', async () => {
  const ids = await formIds();
  test('the receiver serves the examples and the test forms', () => {
    for (const id of ['felanmalan', 'forskola', 'parkeringstillstand']) assert.ok(ids.includes(id), id);
    assert.ok(ids.length >= 4, `also test forms: ${ids}`);
  });

  for (const id of ids) {
    test(id, async () => {
      const def = await fetchDefinition(id);
      const page = await newPage(browser);
      await page.goto(new URL(`?form=${id}`, BASE).href);
      await page.getByRole('heading', { level: 1, name: text(def.title) }).waitFor();

      // The privacy notice is there before the citizen starts.
      const privacy = page.getByText('Så behandlar vi dina personuppgifter');
      assert.ok(await privacy.isVisible(), 'privacy notice on the start page');
      assert.ok(await page.getByText(text(def.privacy.purpose)).isVisible(), 'purpose shown');
      await assertAccessible(page, `${id} start`);
      await press(page, page.getByRole('button', { name: 'Börja fylla i' }), 'Start');

      const given = await fillAllSteps(page, def);

      // Review: every question is listed with a Change button named after it.
      await assertAccessible(page, `${id} review`);
      for (const step of def.steps) {
        for (const field of questions(step.fields)) {
          const name = `Ändra ${text(field.label)}`;
          assert.equal(await page.getByRole('button', { name, exact: true }).count(), 1, name);
        }
      }
      await press(page, page.getByRole('button', { name: 'Skicka in' }), 'Submit');

      const heading = page.getByRole('heading', { level: 2, name: 'Tack! Vi har tagit emot dina uppgifter' });
      await heading.waitFor();
      const reference = (await page.locator('#reference').textContent()).trim();
      assert.match(reference, /^B-\d{4}-\d{6}$/);
      await assertAccessible(page, `${id} receipt`);

      // The submission is a row in SQLite, read back through the receiver.
      const stored = await adminGet(`api/submissions/${reference}`);
      assert.equal(stored.status, 200);
      assert.equal(stored.body.form_id, id);
      assert.equal(stored.body.form_version, String(def.version));
      const fields = def.steps.flatMap((s) => questions(s.fields));
      for (const [fieldId, value] of Object.entries(given)) {
        const field = fields.find((f) => f.id === fieldId);
        assert.deepEqual(stored.body.answers[fieldId], normalized(field, value), `${id}.${fieldId} stored`);
      }
      assert.deepEqual(Object.keys(stored.body.answers).sort(), Object.keys(given).sort(), 'nothing else is stored');
      assert.deepEqual(page.jsErrors, [], 'no script errors');
      await page.context().close();
    });
  }
});

describe('errors', () => {
  test('a wrong personnummer: quiet while typing, inline message on leaving, summary link moves focus', async () => {
    const ids = await formIds();
    let def;
    let field;
    let stepIndex;
    for (const id of ids) {
      const d = await fetchDefinition(id);
      for (const [i, s] of d.steps.entries()) {
        const f = questions(s.fields).find((q) => q.type === 'personnummer');
        if (f && !def) { def = d; field = f; stepIndex = i; }
      }
    }
    assert.ok(field, 'some form has a personnummer field');
    const page = await newPage(browser);
    await page.goto(new URL(`?form=${def.id}`, BASE).href);
    await press(page, page.getByRole('button', { name: 'Börja fylla i' }), 'Start');
    // Walk to the step with the personnummer, answering what is needed on the way.
    const given = {};
    for (let i = 0; i < stepIndex; i++) {
      await page.getByRole('heading', { level: 2, name: text(def.steps[i].title) }).waitFor();
      for (const q of questions(def.steps[i].fields)) {
        const v = validValue(q, given);
        if (v !== null) { await answer(page, q, v); given[q.id] = v; }
      }
      await press(page, nextButton(page), 'Next');
    }
    await page.getByRole('heading', { level: 2, name: text(def.steps[stepIndex].title) }).waitFor();

    const input = page.getByLabel(new RegExp(`^\\s*${text(field.label)}`));
    await tabTo(page, input, 'the personnummer field');
    await page.keyboard.type('19121212-1213');
    const error = page.locator(`#f-${field.id}-error`);
    assert.equal(await error.count(), 0, 'no message while typing');
    await page.keyboard.press('Tab');
    await error.waitFor();
    assert.match(await error.textContent(), /Personnumret stämmer inte/);
    assert.equal(await input.getAttribute('aria-invalid'), 'true');
    assert.ok((await input.getAttribute('aria-describedby')).split(' ').includes(`f-${field.id}-error`));

    await press(page, nextButton(page), 'Next');
    const summary = page.locator('#error-summary');
    await summary.waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'error-summary');
    assert.match(await page.title(), /^Fel: Steg \d+ av \d+: /, 'the title says there are errors');
    const link = summary.getByRole('link', { name: new RegExp(`^${text(field.label)}: Personnumret stämmer inte`) });
    assert.equal(await link.count(), 1, 'the summary links to the field');
    await assertAccessible(page, 'error state');
    await tabTo(page, link, 'the summary link');
    await page.keyboard.press('Enter');
    await page.waitForFunction((id) => document.activeElement?.id === id, `f-${field.id}`);

    // Fixing it and leaving the field clears the message and the summary entry.
    await page.keyboard.press('Control+A');
    await page.keyboard.type('19121212-1212');
    await page.keyboard.press('Tab');
    await error.waitFor({ state: 'detached' });
    assert.equal(await link.count(), 0);
    await page.context().close();
  });

  test('a broken definition gets an error page listing every problem with its path', async () => {
    const page = await newPage(browser);
    await page.goto(new URL('?form=broken-example', BASE).href);
    await page.getByRole('heading', { level: 1, name: 'Formuläret kan inte visas' }).waitFor();
    const items = await page.locator('.diagnostics li').allTextContents();
    assert.ok(items.includes('steps[0].fields[0].type: okänd fälttyp "txt" (menade du "text"?)'), items.join('\n'));
    assert.ok(items.includes('egenskapen "privacy" saknas men krävs'), items.join('\n'));
    assert.ok(items.some((i) => i.startsWith('steps[0].fields[1].id: fält-id "namn" används redan')), items.join('\n'));
    await assertAccessible(page, 'broken definition');
    await page.context().close();
  });

  test('a dropped connection keeps every answer and the same submission goes through later', async () => {
    const id = 'felanmalan';
    const def = await fetchDefinition(id);
    const page = await newPage(browser);
    await page.goto(new URL(`?form=${id}`, BASE).href);
    await press(page, page.getByRole('button', { name: 'Börja fylla i' }), 'Start');
    await fillAllSteps(page, def);
    const bodies = [];
    await page.route('**/api/submissions', (route) => { bodies.push(route.request().postData()); return route.abort('internetdisconnected'); });
    await press(page, page.getByRole('button', { name: 'Skicka in' }), 'Submit');
    const status = page.getByRole('status').filter({ hasText: 'Det gick inte att skicka just nu' });
    await status.waitFor();
    assert.ok(await page.getByText('Dina svar finns kvar.').isVisible());
    await assertAccessible(page, 'send failed');
    await page.unroute('**/api/submissions');
    page.on('request', (r) => { if (r.url().endsWith('/api/submissions') && r.method() === 'POST') bodies.push(r.postData()); });
    await press(page, page.getByRole('button', { name: 'Skicka in' }), 'Submit again');
    await page.getByRole('heading', { level: 2, name: 'Tack! Vi har tagit emot dina uppgifter' }).waitFor();
    assert.equal(bodies.length, 2);
    assert.equal(bodies[0], bodies[1], 'the retry sends the same bytes, with the same submission id');
    await page.context().close();
  });
});

describe('captured requests', () => {
  test('a captured submission replayed gets the same receipt; tampered ones are refused', async () => {
    const def = await fetchDefinition('forskola');
    const page = await newPage(browser);
    await page.goto(new URL('?form=forskola', BASE).href);
    await press(page, page.getByRole('button', { name: 'Börja fylla i' }), 'Start');
    await fillAllSteps(page, def);
    const [request] = await Promise.all([
      page.waitForRequest((r) => r.url().endsWith('/api/submissions') && r.method() === 'POST'),
      press(page, page.getByRole('button', { name: 'Skicka in' }), 'Submit'),
    ]);
    await page.getByRole('heading', { level: 2, name: 'Tack! Vi har tagit emot dina uppgifter' }).waitFor();
    const reference = (await page.locator('#reference').textContent()).trim();
    const body = request.postData();
    await page.context().close();

    const post = (b, type = 'application/json') =>
      fetch(new URL('api/submissions', BASE), { method: 'POST', headers: { 'Content-Type': type }, body: b });
    const replay = await post(body);
    assert.equal(replay.status, 200, 'a byte-identical replay is a retry');
    assert.equal((await replay.json()).reference, reference, 'and gets the original receipt');

    const submission = JSON.parse(body);
    const pnrField = def.steps.flatMap((s) => questions(s.fields)).find((f) => f.type === 'personnummer');
    const tampered = structuredClone(submission);
    tampered.answers[pnrField.id] = '19121212-1213';
    const conflict = await post(JSON.stringify(tampered));
    assert.equal(conflict.status, 409, 'same submission id, other bytes');
    assert.equal((await conflict.json()).code, 'submission_id_conflict');

    tampered.submission_id = crypto.randomUUID();
    const invalid = await post(JSON.stringify(tampered));
    assert.equal(invalid.status, 422, 'the receiver validates again with the same rules');
    const problem = await invalid.json();
    assert.equal(invalid.headers.get('content-type'), 'application/problem+json');
    assert.deepEqual(problem.errors.map((e) => [e.field, e.code]), [[pnrField.id, 'personnummer_checksum']]);
    assert.match(problem.errors[0].message.sv, /Personnumret stämmer inte/);

    const extra = structuredClone(submission);
    extra.submission_id = crypto.randomUUID();
    extra.answers.smuggled = 'x';
    const unknown = await post(JSON.stringify(extra));
    assert.equal(unknown.status, 422);
    assert.deepEqual((await unknown.json()).errors.map((e) => [e.field, e.code]), [['smuggled', 'unknown_field']]);

    assert.equal((await post(body.slice(0, -5))).status, 400, 'a cut-off body is malformed JSON');
    assert.equal((await post(body, 'text/plain')).status, 415);
  });
});

describe('the page around the form', () => {
  test('the app runs under a strict Content-Security-Policy with a fresh nonce', async () => {
    const page = await newPage(browser);
    await page.addInitScript(() => {
      window.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const response = await page.goto(new URL('?form=felanmalan', BASE).href);
    const csp = response.headers()['content-security-policy'];
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'nonce-[0-9a-f]{32}'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    await press(page, page.getByRole('button', { name: 'Börja fylla i' }), 'Start');
    await page.getByRole('heading', { level: 2 }).first().waitFor();
    assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
    const second = await page.request.get(new URL('?form=felanmalan', BASE).href);
    assert.notEqual(second.headers()['content-security-policy'], csp, 'each response has its own nonce');
    await page.context().close();
  });

  test('the catalogue lists the e-services and is accessible', async () => {
    const page = await newPage(browser);
    await page.goto(BASE);
    await page.getByRole('heading', { level: 1, name: 'E-tjänster' }).waitFor();
    const link = page.getByRole('link', { name: 'Felanmälan', exact: false }).first();
    await link.waitFor();
    await assertAccessible(page, 'catalogue');
    await tabTo(page, link, 'the first e-service');
    await page.keyboard.press('Enter');
    await page.waitForURL(/form=felanmalan/);
    await page.context().close();
  });

  test('the language switch changes texts and the lang attribute', async () => {
    const def = await fetchDefinition('forskola');
    const page = await newPage(browser);
    await page.goto(new URL('?form=forskola', BASE).href);
    await page.getByRole('heading', { level: 1, name: text(def.title, 'sv') }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'sv');
    const toEnglish = page.getByRole('button', { name: 'English' });
    assert.equal(await toEnglish.getAttribute('lang'), 'en');
    await press(page, toEnglish, 'the language switch');
    await page.getByRole('heading', { level: 1, name: text(def.title, 'en') }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.ok(await page.getByText('How we process your personal data').isVisible());
    await assertAccessible(page, 'English start page');
    await press(page, page.getByRole('button', { name: 'Start' }), 'Start');
    await page.getByRole('heading', { level: 2, name: text(def.steps[0].title, 'en') }).waitFor();
    assert.ok(await page.getByText(`Step 1 of ${def.steps.length + 1}`).isVisible());
    await page.reload();
    await page.getByRole('heading', { level: 1, name: text(def.title, 'en') }).waitFor();
    await page.context().close();
  });
});
