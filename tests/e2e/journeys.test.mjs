// Whole journeys, as a citizen on a phone with only a keyboard: every form the receiver
// serves (the examples and test forms nobody wrote the runtime for), start to receipt,
// with axe-core in every state and the stored row checked through the receiver.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  ADMIN_TOKEN, BASE, ROOT, SERVER_BIN, addButton, adminGet, answer, assertAccessible, computedFields, entries, fetchDefinition, formIds, isShown, launch,
  control, fillStep, newPage, nextButton, press, questions, rowGroup, rowName, rowQuestions, signedHeaders, tabTo, text, validValue,
  waitForAnnouncement, waitForFocus, waitForFocusId, watchFocus,
} from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Fills every step of `def` (already started) and returns the answers given, by field id. */
async function fillAllSteps(page, def, locked = new Set()) {
  const given = {};
  // Steps whose conditions hide them are skipped; the filler's answers (yes, the first
  // option) make most conditional content appear, and it fills what appears.
  for (let n = 1; ; n++) {
    const title = (await page.locator('#step-heading').textContent()).trim();
    if (title === 'Granska dina svar') break;
    const step = def.steps.find((s) => text(s.title) === title);
    assert.ok(step, `step "${title}" is in the definition`);
    const progress = (await page.locator('.progress').textContent()).trim();
    const [, current, total] = progress.match(/^Steg (\d+) av (\d+)$/) ?? [];
    assert.equal(Number(current), n, `progress on step "${title}": ${progress}`);
    assert.equal(await page.title(), `Steg ${current} av ${total}: ${title} – ${text(def.title)}`);
    await assertAccessible(page, `${def.id} step ${n}`);
    await fillStep(page, def, step, given, locked);
    // Leaving the step moves focus to the next page's heading, never through <body>.
    await tabTo(page, nextButton(page), `Next on step ${n}`);
    const watch = await watchFocus(page);
    await page.keyboard.press('Enter');
    await page.waitForFunction((t) => document.querySelector('#step-heading')?.textContent.trim() !== t, title);
    await waitForFocusId(page, 'step-heading', `the heading after step ${n}`);
    const samples = await watch.stop();
    assert.deepEqual(samples.onBody, [], `leaving step ${n}, focus never rests on <body> (${samples.samples} samples)`);
  }
  return given;
}

/** Fetches the case as FlowInstance XML and the form's XSD, and validates one against the other with xmllint. */
async function assertFlowInstance(def, reference) {
  const xml = await fetch(new URL(`api/submissions/${reference}/flowinstance.xml`, BASE), { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  assert.equal(xml.status, 200);
  assert.match(xml.headers.get('content-type'), /^application\/xml; charset=ISO-8859-1/);
  const xsd = await fetch(new URL(`api/forms/${def.id}/flowinstance.xsd`, BASE));
  assert.equal(xsd.status, 200);
  const dir = mkdtempSync(join(tmpdir(), 'flowinstance-'));
  const [xmlPath, xsdPath] = [join(dir, 'case.xml'), join(dir, 'flow.xsd')];
  const body = Buffer.from(await xml.arrayBuffer());
  writeFileSync(xmlPath, body);
  writeFileSync(xsdPath, Buffer.from(await xsd.arrayBuffer()));
  try {
    execFileSync('xmllint', ['--noout', '--schema', xsdPath, xmlPath], { stdio: 'pipe' });
  } catch (e) {
    assert.fail(`xmllint refuses the case of ${def.id}:\n${e.stderr}\n${body.toString('latin1')}`);
  }
  const text = body.toString('latin1');
  assert.match(text, new RegExp(`<FlowID>${def['x-oep'].flow.flow_id}</FlowID>`));
  const exported = def['x-oep'].queries.length;
  if (exported > 0) assert.match(text, /<QueryID>\d+<\/QueryID>/, 'answered questions are in Values');
}

function normalized(field, value) {
  switch (field.type) {
    case 'yes_no': return value === 'yes';
    case 'number': case 'integer': return Number(value);
    case 'personnummer': return '19121212-1212';
    case 'file': return value.map((f) => ({
      name: f.name,
      sha256: createHash('sha256').update(f.buffer).digest('hex'),
      size: f.buffer.length,
      type: f.mimeType,
    }));
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

      const locked = new Set();
      const given = await fillAllSteps(page, def, locked);

      // Review: every answered question is listed, with a Change button unless it is locked.
      // A label that repeats names its group ("Ändra Person 2: Förnamn").
      await assertAccessible(page, `${id} review`);
      const answered = def.steps.flatMap((st) => entries(st.fields)).filter((f) => f.id in given && f.type !== 'repeat');
      const repeats = (label) => answered.filter((f) => text(f.label) === label).length > 1;
      for (const step of def.steps) {
        for (const field of entries(step.fields).filter((f) => f.id in given)) {
          if (field.type === 'repeat') {
            for (const [i, row] of given[field.id].entries()) {
              for (const q of rowQuestions(field).filter((f) => f.id in row)) {
                const name = `Ändra ${rowName(field, i)}: ${text(q.label)}`;
                assert.equal(await page.getByRole('button', { name, exact: true }).count(), 1, name);
              }
            }
            continue;
          }
          const label = text(field.label);
          const name = `Ändra ${repeats(label) && field.__group ? `${text(field.__group)}: ` : ''}${label}`;
          assert.equal(await page.getByRole('button', { name, exact: true }).count(), locked.has(field.id) ? 0 : 1, name);
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
      const fields = def.steps.flatMap((s) => entries(s.fields));
      for (const [fieldId, value] of Object.entries(given)) {
        const field = fields.find((f) => f.id === fieldId);
        const expected = field.type === 'repeat'
          ? value.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, normalized(rowQuestions(field).find((q) => q.id === k), v)])))
          : normalized(field, value);
        assert.deepEqual(stored.body.answers[fieldId], expected, `${id}.${fieldId} stored`);
      }
      const computed = computedFields(def).map((f) => f.id);
      const storedAnswers = Object.keys(stored.body.answers).filter((k) => !computed.includes(k));
      assert.deepEqual(storedAnswers.sort(), Object.keys(given).sort(), 'nothing else is stored');
      // A converted Open ePlatform e-service: the case as FlowInstance XML, valid against the
      // form's XSD by a real schema validator.
      if (def['x-oep']) await assertFlowInstance(def, reference);
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
    await waitForFocusId(page, 'error-summary', 'the error summary');
    assert.match(await page.title(), /^Fel: Steg \d+ av \d+: /, 'the title says there are errors');
    const link = summary.getByRole('link', { name: new RegExp(`^${text(field.label)}: Personnumret stämmer inte`) });
    assert.equal(await link.count(), 1, 'the summary links to the field');
    await assertAccessible(page, 'error state');
    await tabTo(page, link, 'the summary link');
    await page.keyboard.press('Enter');
    await waitForFocusId(page, `f-${field.id}`, 'the field the summary links to');

    // Fixing it and leaving the field clears the message and the summary entry.
    await page.keyboard.press('Control+A');
    await page.keyboard.type('19121212-1212');
    await page.keyboard.press('Tab');
    await error.waitFor({ state: 'detached' });
    assert.equal(await link.count(), 0);
    await page.context().close();
  });

  test('a broken definition gets an error page listing every error by path and code, as the checker finds them', async () => {
    const page = await newPage(browser);
    await page.goto(new URL('?form=broken-example', BASE).href);
    await page.getByRole('heading', { level: 1, name: 'Formuläret kan inte visas' }).waitFor();
    const items = await page.locator('.diagnostics li').allTextContents();
    assert.ok(items.includes('steps[0].fields[0].type: unknown_field_type'), items.join('\n'));
    assert.ok(items.includes('privacy: missing'), items.join('\n'));
    assert.ok(items.includes('steps[0].fields[1].id: duplicate_id'), items.join('\n'));
    // The author's texts are not in the citizen's download; the page says where they are.
    await page.getByText('blankett-server check').waitFor();
    // The checker refuses the same definition with the same errors: one line per listed
    // item, each ending with the item's code and starting with its path.
    let out = '';
    try {
      execFileSync(SERVER_BIN, ['check', join(ROOT, 'tests/e2e/forms/broken-example.json')], { encoding: 'utf8', stdio: 'pipe' });
      assert.fail('the checker refuses the definition');
    } catch (e) {
      assert.equal(e.status, 1, `the checker exits 1: ${e.stderr}`);
      out = e.stdout;
    }
    const errors = out.split('\n').filter((l) => / \[[a-z_.]+\]$/.test(l) && !l.includes(' (warning) '));
    assert.equal(errors.length, items.length, `${out}\n---\n${items.join('\n')}`);
    errors.forEach((line, i) => {
      const [, path, code] = items[i].match(/^(?:(.*): )?([a-z_.]+)$/);
      assert.ok(line.endsWith(` [${code}]`), `${line} / ${items[i]}`);
      // A missing property is named in the page's path; the checker names it in words.
      const where = code === 'missing' ? path?.split('.').slice(0, -1).join('.') : path;
      if (where) assert.ok(line.includes(`.json: ${where}: `), `${line} / ${items[i]}`);
    });
    await assertAccessible(page, 'broken definition');
    await page.context().close();
  });

  test('a dropped connection keeps every answer and the same submission goes through later, once', async () => {
    const id = 'felanmalan';
    const def = await fetchDefinition(id);
    const page = await newPage(browser);
    await page.goto(new URL(`?form=${id}`, BASE).href);
    await press(page, page.getByRole('button', { name: 'Börja fylla i' }), 'Start');
    await fillAllSteps(page, def);
    const sent = [];
    await page.route('**/api/submissions', (route) => { sent.push(route.request()); return route.abort('internetdisconnected'); });
    await press(page, page.getByRole('button', { name: 'Skicka in' }), 'Submit');
    const status = page.getByRole('status').filter({ hasText: 'Det gick inte att skicka just nu' });
    await status.waitFor();
    assert.match(await status.textContent(), /Ditt ärende är sparat på enheten och skickas automatiskt när du är online igen/);
    await assertAccessible(page, 'send failed');
    await page.unroute('**/api/submissions');
    page.on('request', (r) => { if (r.url().endsWith('/api/submissions') && r.method() === 'POST') sent.push(r); });
    await press(page, page.getByRole('button', { name: 'Skicka in' }), 'Submit again');
    await page.getByRole('heading', { level: 2, name: 'Tack! Vi har tagit emot dina uppgifter' }).waitFor();
    const reference = (await page.locator('#reference').textContent()).trim();
    // Every attempt (the citizen's, and any the outbox made by itself) sent the same bytes
    // under the same Idempotency-Key, each signed anew.
    assert.ok(sent.length >= 2, `${sent.length} attempts`);
    const bodies = new Set(sent.map((r) => r.postData()));
    assert.equal(bodies.size, 1, 'the retry sends the same bytes, with the same submission id');
    const keys = new Set(await Promise.all(sent.map(async (r) => (await r.allHeaders())['idempotency-key'])));
    assert.equal(keys.size, 1, 'one Idempotency-Key');
    const nonces = new Set(await Promise.all(sent.map(async (r) => (await r.allHeaders())['signature-input'].match(/nonce="([^"]+)"/)[1])));
    assert.equal(nonces.size, sent.length, 'each attempt is signed anew');
    const stored = await adminGet(`api/submissions/${reference}`);
    assert.equal(stored.status, 200);
    await page.context().close();
  });
});

describe('conditions, rules and computed values', () => {
  test('an answer shows and hides dependent fields at once, without moving focus', async () => {
    const page = await newPage(browser);
    await page.goto(new URL('?form=felanmalan', BASE).href);
    await press(page, page.getByRole('button', { name: 'Börja fylla i' }), 'Start');
    const def = await fetchDefinition('felanmalan');
    // Walk to the step with the yes/no question, answering what is needed on the way.
    const given = {};
    for (const step of def.steps) {
      const question = questions(step.fields).find((f) => f.id === 'vill_bli_kontaktad');
      if (question) break;
      for (const f of questions(step.fields)) {
        if (!(await isShown(page, f))) continue;
        const v = validValue(f, given);
        if (v !== null) { await answer(page, f, v); given[f.id] = v; }
      }
      await press(page, nextButton(page), 'Next');
    }
    const group = page.getByRole('group', { name: /^\s*Dina kontaktuppgifter/ });
    const wants = page.getByRole('radiogroup', { name: /Vill du/ });
    await wants.waitFor();
    assert.equal(await group.count(), 0, 'no contact details before the answer');
    const navigations = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));
    const yes = wants.getByRole('radio', { name: 'Ja', exact: true });
    await tabTo(page, wants.getByRole('radio').first(), 'the yes/no question');
    await page.keyboard.press('Space');
    await group.waitFor();
    await waitForFocus(page, yes, 'the answer "Ja" (focus stays there)');
    await assertAccessible(page, 'contact details shown');
    const email = page.getByLabel(/^\s*E-post/);
    await tabTo(page, email, 'the e-mail field');
    await page.keyboard.type('anna@example.se');
    await page.keyboard.press('Shift+Tab');
    while (!(await yes.evaluate((el) => el === document.activeElement))) await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('ArrowDown');
    await group.waitFor({ state: 'detached' });
    const no = wants.getByRole('radio', { name: 'Nej', exact: true });
    await waitForFocus(page, no, 'the answer "Nej" (focus stays there)');
    await page.keyboard.press('ArrowUp');
    await group.waitFor();
    assert.equal(await page.getByLabel(/^\s*E-post/).inputValue(), 'anna@example.se', 'showing it again restores the answer');
    assert.deepEqual(navigations, [], 'no page load');
    await page.context().close();
  });

  test('a fee is computed as the citizen types, and a date range rule is explained', async () => {
    const def = await fetchDefinition('serveringstillstand');
    const page = await newPage(browser);
    await page.goto(new URL('?form=serveringstillstand', BASE).href);
    await press(page, page.getByRole('button', { name: 'Börja fylla i' }), 'Start');
    const given = {};
    for (const f of questions(def.steps[0].fields)) { const v = validValue(f, given); await answer(page, f, v); given[f.id] = v; }
    await press(page, nextButton(page), 'Next');
    await page.getByRole('heading', { level: 2, name: 'Evenemanget' }).waitFor();
    const inDays = (n) => { const d = new Date(); d.setUTCDate(d.getUTCDate() + n); return d.toISOString().slice(0, 10); };
    const fields = Object.fromEntries(questions(def.steps[1].fields).map((f) => [f.id, f]));
    await answer(page, fields.evenemang_namn, 'Sommarfest');
    await answer(page, fields.startdatum, inDays(60));
    await answer(page, fields.slutdatum, inDays(58));
    await answer(page, fields.gaster, '800');
    await answer(page, fields.utomhus, 'no');
    await press(page, nextButton(page), 'Next');
    await waitForFocusId(page, 'error-summary', 'the error summary');
    const link = page.locator('#error-summary').getByRole('link', { name: 'Sista dagen: Sista dagen kan inte vara före första dagen.' });
    assert.equal(await link.count(), 1, 'the rule message is in the summary, at the end date');
    assert.match(await page.locator('#f-slutdatum-error').textContent(), /kan inte vara före första dagen/);
    await assertAccessible(page, 'rule broken');
    await page.getByLabel(/^\s*Sista dagen/).fill(inDays(62));
    await press(page, nextButton(page), 'Next');
    await page.getByRole('heading', { level: 2, name: 'Avgift' }).waitFor();
    // 3 days: 3 000 + 2 × 500, and 2 000 more for over 500 guests.
    assert.equal((await page.locator('#f-antal_dagar').textContent()).trim(), '3');
    assert.equal((await page.locator('#f-avgift_kr').textContent()).trim(), '6\u00a0000 kr');
    await waitForAnnouncement(page, '6\u00a0000 kr', 'the fee is announced politely');
    await assertAccessible(page, 'computed fee');
    await page.context().close();
  });
});

describe('code lists', () => {
  test('a list that cannot be fetched comes from the copy kept from the last visit', async () => {
    const def = await fetchDefinition('forskola');
    const preschools = def.steps.flatMap((s) => questions(s.fields)).find((f) => f.id === 'forskolor');
    const page = await newPage(browser);
    const formUrl = new URL('?form=forskola', BASE).href;
    await page.goto(formUrl);
    await page.getByRole('heading', { level: 1, name: text(def.title) }).waitFor();
    await page.route('**/forms/lists/**', (route) => route.abort('internetdisconnected'));
    await page.reload();
    await page.getByRole('heading', { level: 1, name: text(def.title) }).waitFor();
    await press(page, page.getByRole('button', { name: 'Börja fylla i' }), 'Start');
    for (let i = 0; i < 2; i++) {
      const step = def.steps[i];
      await page.getByRole('heading', { level: 2, name: text(step.title) }).waitFor();
      const given = {};
      for (const f of questions(step.fields)) {
        if (!(await isShown(page, f))) continue;
        const v = validValue(f, given);
        if (v !== null) { await answer(page, f, v); given[f.id] = v; }
      }
      await press(page, nextButton(page), 'Next');
    }
    const group = page.getByRole('group', { name: new RegExp(`^\\s*${text(preschools.label)}`) });
    await group.waitFor();
    assert.equal(await group.getByRole('checkbox').count(), preschools.options.length, 'the kept list is shown');

    // A browser that never fetched the list gets a clear error, not an empty choice.
    const fresh = await newPage(browser);
    await fresh.route('**/forms/lists/**', (route) => route.abort('internetdisconnected'));
    await fresh.goto(formUrl);
    await fresh.getByRole('heading', { level: 1, name: 'Formuläret kan inte visas' }).waitFor();
    assert.ok(await fresh.getByRole('alert').isVisible());
    await assertAccessible(fresh, 'list unavailable');
    await page.context().close();
    await fresh.context().close();
  });
});

describe('prefill', () => {
  test('values from the link, the embedding page and the endpoint; trusted ones lock', async () => {
    const page = await newPage(browser);
    // The embedding page's configuration, as a CMS would write it into the page.
    await page.addInitScript(() => {
      document.addEventListener('DOMContentLoaded', () => {
        const config = document.createElement('script');
        config.type = 'application/json';
        config.id = 'blankett-config';
        config.textContent = JSON.stringify({ prefill: { 'address.city': 'Sidstad' } });
        document.body.append(config);
      });
    });
    await page.goto(new URL('?form=kompost&prefill.tel=070-111%2022%2033&prefill.personnummer=811228-9874', BASE).href);
    await press(page, page.getByRole('button', { name: 'Börja fylla i' }), 'Start');
    await page.getByRole('heading', { level: 2, name: 'Fastigheten' }).waitFor();
    // From the endpoint (fetched with the citizen's cookies): street and postcode.
    await page.waitForFunction(() => document.querySelector('#f-gata')?.value === 'Storgatan 1');
    assert.equal(await page.getByLabel(/^\s*Gatuadress/).getAttribute('readonly'), null, 'the definition does not lock it');
    assert.equal(await page.getByLabel(/^\s*Postnummer/).inputValue(), '123 45');
    // The embedding page's value came first, and the endpoint does not replace a trusted value it does not lock.
    assert.equal(await page.getByLabel(/^\s*Postort/).inputValue(), 'Sidstad');
    await assertAccessible(page, 'prefilled');
    const def = await fetchDefinition('kompost');
    const given = {};
    for (const step of def.steps.slice(0, 2)) {
      await page.getByRole('heading', { level: 2, name: text(step.title) }).waitFor();
      for (const f of questions(step.fields)) {
        if (!(await isShown(page, f)) || ['gata', 'postnr', 'ort'].includes(f.id)) continue;
        const v = validValue(f, given);
        if (v !== null) { await answer(page, f, v); given[f.id] = v; }
      }
      await press(page, nextButton(page), 'Next');
    }
    await page.getByRole('heading', { level: 2, name: 'Kontaktuppgifter' }).waitFor();
    // The link suggested a personnummer and a phone; the endpoint's locked personnummer wins.
    const pnr = page.getByLabel(/^\s*Ditt personnummer/);
    assert.equal(await pnr.inputValue(), '19121212-1212');
    assert.equal(await pnr.getAttribute('readonly'), '', 'a trusted locking value is read-only');
    await tabTo(page, pnr, 'the locked personnummer');
    await page.keyboard.type('1');
    assert.equal(await pnr.inputValue(), '19121212-1212', 'the citizen cannot change it');
    const tel = page.getByLabel(/^\s*Telefonnummer/);
    assert.equal(await tel.inputValue(), '070-111 22 33', 'a link may suggest a value');
    assert.equal(await tel.getAttribute('readonly'), null, 'but never locks it');
    await assertAccessible(page, 'locked field');
    await page.context().close();
  });
});

describe('captured requests', () => {
  test('a captured submission replayed gets the same receipt; tampered and unsigned ones are refused', async () => {
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
    const captured = await request.allHeaders();
    const signed = Object.fromEntries(['content-type', 'content-digest', 'idempotency-key', 'blankett-key', 'signature-input', 'signature'].map((h) => [h, captured[h]]));
    assert.match(signed['signature-input'], /^blankett=\("@method" "@target-uri" "content-type" "content-digest" "idempotency-key"\);created=\d+;nonce="[^"]+";keyid="[^"]+";alg="(ecdsa-p256-sha256|ed25519)"$/);
    await page.context().close();

    const url = new URL('api/submissions', BASE).href;
    const post = (b, headers) => fetch(url, { method: 'POST', headers, body: b });
    const replay = await post(body, signed);
    assert.equal(replay.status, 200, 'a byte-identical replay is a retry');
    assert.equal((await replay.json()).reference, reference, 'and gets the original receipt');

    const submission = JSON.parse(body);
    const pnrField = def.steps.flatMap((s) => questions(s.fields)).find((f) => f.type === 'personnummer');
    const tampered = structuredClone(submission);
    tampered.answers[pnrField.id] = '19121212-1213';
    const changed = await post(JSON.stringify(tampered), signed);
    assert.equal(changed.status, 400, 'a changed body under the captured signature');
    assert.equal((await changed.json()).code, 'digest_mismatch');
    // Unsigned: refused by default (the digest is the first thing a receiver checks).
    const unsigned = await post(JSON.stringify(tampered), { 'Content-Type': 'application/json' });
    assert.equal(unsigned.status, 400);
    assert.equal((await unsigned.json()).code, 'digest_missing');
    const digestOnly = { 'Content-Type': 'application/json', 'Content-Digest': (await signedHeaders(url, JSON.stringify(tampered), submission.submission_id))['Content-Digest'] };
    const noSignature = await post(JSON.stringify(tampered), digestOnly);
    assert.equal(noSignature.status, 401);
    assert.equal((await noSignature.json()).code, 'signature_missing');

    // A client of our own, written from the profile, signs what it sends.
    const conflict = await post(JSON.stringify(tampered), await signedHeaders(url, JSON.stringify(tampered), submission.submission_id));
    assert.equal(conflict.status, 409, 'same submission id, other bytes');
    assert.equal((await conflict.json()).code, 'submission_id_conflict');

    tampered.submission_id = crypto.randomUUID();
    const invalid = await post(JSON.stringify(tampered), await signedHeaders(url, JSON.stringify(tampered), tampered.submission_id));
    assert.equal(invalid.status, 422, 'the receiver validates again with the same rules');
    const problem = await invalid.json();
    assert.equal(invalid.headers.get('content-type'), 'application/problem+json');
    assert.deepEqual(problem.errors.map((e) => [e.field, e.code]), [[pnrField.id, 'personnummer_checksum']]);
    assert.match(problem.errors[0].message.sv, /Personnumret stämmer inte/);

    const extra = structuredClone(submission);
    extra.submission_id = crypto.randomUUID();
    extra.answers.smuggled = 'x';
    const unknown = await post(JSON.stringify(extra), await signedHeaders(url, JSON.stringify(extra), extra.submission_id));
    assert.equal(unknown.status, 422);
    assert.deepEqual((await unknown.json()).errors.map((e) => [e.field, e.code]), [['smuggled', 'unknown_field']]);

    const cut = body.slice(0, -5);
    assert.equal((await post(cut, await signedHeaders(url, cut, submission.submission_id))).status, 400, 'a cut-off body is malformed JSON');
    assert.equal((await post(body, { ...signed, 'content-type': 'text/plain' })).status, 415);
  });
});

describe('the page around the form', () => {
  test('?start=1 opens the first step directly, with the privacy notice still on the page', async () => {
    const def = await fetchDefinition('felanmalan');
    const page = await newPage(browser);
    await page.goto(new URL('?form=felanmalan&start=1', BASE).href);
    await page.getByRole('heading', { level: 2, name: text(def.steps[0].title) }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Börja fylla i' }).count(), 0);
    assert.match(await page.locator('.progress').textContent(), /^Steg 1 av \d+$/);
    assert.equal(await page.getByText('Så behandlar vi dina personuppgifter').count(), 1, 'the privacy notice is on the step');
    await assertAccessible(page, 'started directly');
    assert.deepEqual(page.jsErrors, []);
    await page.context().close();
  });

  test('the app runs under a strict Content-Security-Policy with a fresh nonce, and fetches the definition early', async () => {
    const page = await newPage(browser);
    await page.addInitScript(() => {
      window.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const requests = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    const initiators = [];
    cdp.on('Network.requestWillBeSent', (e) => {
      if (e.request.url.endsWith('/forms/felanmalan.json')) initiators.push(e.initiator);
    });
    const response = await page.goto(new URL('?form=felanmalan', BASE).href);
    const csp = response.headers()['content-security-policy'];
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'nonce-[0-9a-f]{32}'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    await press(page, page.getByRole('button', { name: 'Börja fylla i' }), 'Start');
    await page.getByRole('heading', { level: 2 }).first().waitFor();
    assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
    // index.html's inline script (it has the nonce) fetched the definition while the app was
    // still downloading, and the app took that response instead of fetching it again.
    const definition = requests.filter((p) => p.endsWith('/forms/felanmalan.json'));
    assert.equal(definition.length, 1, `one request for the definition: ${requests.join(', ')}`);
    const frame = initiators[0]?.stack?.callFrames?.[0];
    assert.equal(frame && new URL(frame.url).pathname, '/', `fetched by the page's own script: ${JSON.stringify(initiators[0])}`);
    assert.deepEqual(await page.evaluate(() => Object.keys(window.blankett?.preloads ?? { missing: 1 })), [], 'the app took the early response');
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

describe('repeating groups', () => {
  test('rows are added and removed with the keyboard, announced, with focus where it belongs', async () => {
    const def = await fetchDefinition('forskola');
    const stepIndex = def.steps.findIndex((s) => entries(s.fields).some((f) => f.type === 'repeat'));
    const step = def.steps[stepIndex];
    const repeat = entries(step.fields).find((f) => f.type === 'repeat');
    const [nameField, where, , other] = rowQuestions(repeat);
    const page = await newPage(browser);
    await page.goto(new URL('?form=forskola', BASE).href);
    await press(page, page.getByRole('button', { name: 'Börja fylla i' }), 'Start');
    for (const s of def.steps.slice(0, stepIndex)) {
      await page.getByRole('heading', { level: 2, name: text(s.title) }).waitFor();
      const given = {};
      for (const f of questions(s.fields)) {
        if (!(await isShown(page, f))) continue;
        const v = validValue(f, given);
        if (v !== null) { await answer(page, f, v); given[f.id] = v; }
      }
      await press(page, nextButton(page), 'Next');
    }
    await page.getByRole('heading', { level: 2, name: text(step.title) }).waitFor();

    // The rows appear with their condition, with min_rows rows, and focus stays put.
    const trigger = questions(step.fields).find((f) => f.id === repeat.visible_if.choice);
    assert.equal(await isShown(page, repeat), false);
    await answer(page, trigger, 'yes');
    await rowGroup(page, repeat, 0).waitFor();
    await waitForFocus(page, control(page, trigger).getByRole('radio', { name: 'Ja', exact: true }), 'the answer (focus stays there)');
    assert.equal(await rowGroup(page, repeat, 1).count(), 0, 'one row to start with');
    assert.equal(await page.getByRole('button', { name: /^Ta bort/ }).count(), 0, 'no removing below min_rows');
    await assertAccessible(page, 'one row');
    await answer(page, nameField, 'Ada', 'sv', rowGroup(page, repeat, 0));

    // Add: a new numbered row, focus on its first question, announced.
    await press(page, addButton(page, repeat), 'the add button');
    await rowGroup(page, repeat, 1).waitFor();
    const second = control(rowGroup(page, repeat, 1), nameField);
    await waitForFocus(page, second, 'the new row\'s first question');
    await waitForAnnouncement(page, `${rowName(repeat, 1)} har lagts till.`);
    await page.keyboard.type('Bo');
    // A condition inside a row reads that row's answers only.
    await answer(page, where, 'no', 'sv', rowGroup(page, repeat, 1));
    assert.ok(await isShown(page, other, 'sv', rowGroup(page, repeat, 1)), 'the row\'s conditional field appears');
    assert.equal(await isShown(page, other, 'sv', rowGroup(page, repeat, 0)), false, 'not in the other row');
    await assertAccessible(page, 'two rows');

    // Next with gaps: the summary names the row, and its link moves focus into that row.
    await press(page, nextButton(page), 'Next');
    await waitForFocusId(page, 'error-summary', 'the error summary');
    const link = page.locator('#error-summary').getByRole('link', { name: `${rowName(repeat, 1)}: ${text(other.label)}: Fyll i det här fältet.` });
    assert.equal(await link.count(), 1, 'the summary names the row');
    await tabTo(page, link, 'the summary link');
    await page.keyboard.press('Enter');
    await waitForFocusId(page, 'f-syskon.1.syskon_annan_forskola', 'the field in row 2 the summary links to');
    await assertAccessible(page, 'errors in rows');

    // Remove the first row: the second moves up with its answers and message; focus goes to
    // Add without resting on <body> in between (a screen reader would announce the page).
    const remove = page.getByRole('button', { name: `Ta bort ${rowName(repeat, 0).toLowerCase()}`, exact: true });
    await tabTo(page, remove, 'remove row 1');
    const watch = await watchFocus(page);
    await page.keyboard.press('Enter');
    await rowGroup(page, repeat, 1).waitFor({ state: 'detached' });
    await waitForFocus(page, addButton(page, repeat), 'the add button');
    const samples = await watch.stop();
    assert.ok(samples.samples > 0, 'focus was sampled');
    assert.deepEqual(samples.onBody, [], `focus never rests on <body> (${samples.samples} samples)`);
    await waitForAnnouncement(page, `${rowName(repeat, 0)} har tagits bort.`);
    assert.equal(await control(rowGroup(page, repeat, 0), nameField).inputValue(), 'Bo');
    assert.match(await page.locator('[id="f-syskon.0.syskon_annan_forskola-error"]').textContent(), /Fyll i det här fältet/);
    await assertAccessible(page, 'a row removed');

    // Up to max_rows, then no add button.
    for (let i = 1; i < repeat.max_rows; i++) {
      await press(page, addButton(page, repeat), `add row ${i + 1}`);
      // As a keyboard user does: wait for focus to land in the new row before going back to
      // Add (otherwise a late focus move can take the next Enter into the row's field).
      await waitForFocusId(page, `f-${repeat.id}.${i}.${nameField.id}`, `the first question of row ${i + 1}`);
    }
    await rowGroup(page, repeat, repeat.max_rows - 1).waitFor();
    assert.equal(await addButton(page, repeat).count(), 0, 'no adding above max_rows');
    // Removing a row at max_rows: Add comes back, and focus goes there in the same task.
    const removeLast = page.getByRole('button', { name: `Ta bort ${rowName(repeat, repeat.max_rows - 1).toLowerCase()}`, exact: true });
    await tabTo(page, removeLast, 'remove the last row');
    const watchAtMax = await watchFocus(page);
    await page.keyboard.press('Enter');
    await waitForFocus(page, addButton(page, repeat), 'the add button, back again');
    const atMax = await watchAtMax.stop();
    assert.deepEqual(atMax.onBody, [], `focus never rests on <body> (${atMax.samples} samples)`);
    assert.equal(await rowGroup(page, repeat, repeat.max_rows - 1).count(), 0, 'the last row is gone');
    assert.deepEqual(page.jsErrors, [], 'no script errors');
    await page.context().close();
  });
});
