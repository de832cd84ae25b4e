// Drafts on the device: nothing typed is lost to a reload, a killed browser or a new version
// of the form; the citizen can continue, list and delete drafts, and delete everything.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  BASE, SETTLE_MS, assertAccessible, entries, fetchDefinition, fillStep, launch, nextButton, press,
  rowGroup, rowQuestions, shownValue, startKillable, text, waitForFocusId, waitForSave,
} from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A phone-sized page in a fresh context; `block` keeps service workers out, so that routes
 *  see every request. */
async function freshPage({ block = false } = {}) {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 }, locale: 'sv-SE', serviceWorkers: block ? 'block' : 'allow',
  });
  const page = await context.newPage();
  page.jsErrors = [];
  page.on('pageerror', (e) => page.jsErrors.push(e.message));
  return page;
}

/** Every draft record on the device, parsed. */
function storedDrafts(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('blankett');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('drafts')) { db.close(); resolve([]); return; }
      const all = db.transaction('drafts').objectStore('drafts').getAll();
      all.onsuccess = () => { db.close(); resolve(all.result.map((r) => JSON.parse(r.draft))); };
      all.onerror = () => reject(all.error);
    };
  }));
}

/** Starts a form and walks to step `index` (from 0), filling every step before it. */
async function walkTo(page, def, index) {
  // `lang=sv`: a browser started by hand does not take its language from --lang when headless.
  await page.goto(new URL(`?form=${def.id}&lang=sv`, BASE).href);
  await press(page, page.getByRole('button', { name: 'Börja fylla i' }), 'Start');
  const given = {};
  for (const step of def.steps.slice(0, index)) {
    await page.getByRole('heading', { level: 2, name: text(step.title) }).waitFor();
    await fillStep(page, def, step, given);
    await press(page, nextButton(page), 'Next');
  }
  await page.getByRole('heading', { level: 2, name: text(def.steps[index].title) }).waitFor();
  return given;
}

/** The first step with a text question that no condition hides, and that question. */
function textStep(def) {
  const index = def.steps.findIndex((s) => !s.visible_if && entries(s.fields).some((f) => ['text', 'textarea'].includes(f.type) && !f.visible_if));
  const field = entries(def.steps[index].fields).find((f) => ['text', 'textarea'].includes(f.type) && !f.visible_if);
  return { index, field };
}

/** Waits until the device holds a draft that `test` accepts (drafts are saved asynchronously). */
async function waitForStored(page, test, what) {
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    const drafts = await storedDrafts(page);
    if (test(drafts)) return drafts;
    if (Date.now() > deadline) assert.fail(`${what}: ${JSON.stringify(drafts).slice(0, 400)}`);
    await page.waitForTimeout(50);
  }
}

/** Checks that every answer of `step` in `given` is shown again, rows too. */
async function assertShown(page, step, given) {
  for (const field of entries(step.fields).filter((f) => f.id in given)) {
    if (field.type === 'repeat') {
      for (const [i, row] of given[field.id].entries()) {
        for (const q of rowQuestions(field).filter((f) => f.id in row)) {
          assert.deepEqual(await shownValue(page, q, 'sv', rowGroup(page, field, i)), row[q.id], `${field.id}[${i}].${q.id}`);
        }
      }
      continue;
    }
    assert.deepEqual(await shownValue(page, field), given[field.id], field.id);
  }
}

/** The offer to continue, by its accessible name. */
const offer = (page) => page.getByRole('region', { name: 'Du har ett påbörjat ärende' });

describe('drafts', () => {
  test('half a form, reload: every answer, rows too, and the step come back', { timeout: 180_000 }, async () => {
    const def = await fetchDefinition('forskola');
    const index = def.steps.findIndex((s) => entries(s.fields).some((f) => f.type === 'repeat'));
    const page = await freshPage();
    const given = await walkTo(page, def, index);
    const since = Date.now();
    await fillStep(page, def, def.steps[index], given);
    assert.ok(given.syskon?.length >= 1, 'rows were filled');
    await waitForSave(page, since);
    assert.match(await page.locator('#save-status').textContent(), /Dina svar är sparade på den här enheten/);

    await page.reload();
    await offer(page).waitFor();
    assert.match(await offer(page).textContent(), /Du började fylla i formuläret/);
    await assertAccessible(page, 'resume offer');
    await press(page, offer(page).getByRole('button', { name: 'Fortsätt' }), 'Continue');
    await page.getByRole('heading', { level: 2, name: text(def.steps[index].title) }).waitFor();
    await waitForFocusId(page, 'step-heading', 'the restored step\'s heading');
    await assertShown(page, def.steps[index], given);
    await press(page, page.getByRole('button', { name: 'Tillbaka' }), 'Back');
    await page.getByRole('heading', { level: 2, name: text(def.steps[index - 1].title) }).waitFor();
    await assertShown(page, def.steps[index - 1], given);
    assert.deepEqual(page.jsErrors, []);
    await page.context().close();
  });

  test('the browser killed 500 ms after the last key: the text is there in a new browser', { timeout: 180_000 }, async () => {
    const profile = mkdtempSync(join(tmpdir(), 'blankett-profile-'));
    const start = () => startKillable(profile);
    try {
      const first = await start();
      const page = await first.cdp.contexts()[0].newPage();
      const def = await fetchDefinition('felanmalan');
      const { index, field } = textStep(def);
      await walkTo(page, def, index);
      const input = page.getByLabel(new RegExp(`^\\s*${text(field.label)}`));
      await input.click();
      await page.keyboard.type('Skrivet före krascha');
      const lastKey = Date.now();
      // The text counts as kept once the status says it is on disk; then wait out the 500 ms.
      await waitForSave(page, lastKey - 1);
      const wait = 500 - (Date.now() - lastKey);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const exited = new Promise((r) => first.chrome.on('exit', r));
      first.chrome.kill('SIGKILL');
      await exited;

      const second = await start();
      const again = await second.cdp.contexts()[0].newPage();
      await again.goto(new URL('?form=felanmalan&lang=sv', BASE).href);
      await offer(again).waitFor({ timeout: SETTLE_MS });
      await press(again, offer(again).getByRole('button', { name: 'Fortsätt' }), 'Continue');
      await again.getByRole('heading', { level: 2, name: text(def.steps[index].title) }).waitFor();
      assert.equal(await again.getByLabel(new RegExp(`^\\s*${text(field.label)}`)).inputValue(), 'Skrivet före krascha');
      await second.cdp.close();
      second.chrome.kill('SIGKILL');
    } finally {
      try { rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }); } catch { /* a temp folder */ }
    }
  });

  test('a draft made under version 1 opens under version 2: kept answers back, dropped ones listed first', { timeout: 180_000 }, async () => {
    const def = await fetchDefinition('felanmalan');
    const page = await freshPage({ block: true });
    const { index, field: moved } = textStep(def);
    const given = await walkTo(page, def, index);
    await fillStep(page, def, def.steps[index], given);
    await press(page, nextButton(page), 'Next');
    await waitForStored(page, (d) => d[0]?.at?.step === def.steps[index + 1].id, 'the draft on the next step');

    // Version 2 renames a text question, so its answer has nowhere to go.
    const v2 = structuredClone(def);
    v2.version = `${def.version}-2`;
    const renamed = (fields) => fields.map((f) => (f.id === moved.id ? { ...f, id: `${f.id}_ny` } : f.type === 'group' ? { ...f, fields: renamed(f.fields) } : f));
    v2.steps[index].fields = renamed(v2.steps[index].fields);
    await page.route('**/forms/felanmalan.json', (route) => route.fulfill({ json: v2 }));
    await page.reload();
    await press(page, offer(page).getByRole('button', { name: 'Fortsätt' }), 'Continue');
    const notice = page.getByRole('region', { name: 'Formuläret har ändrats sedan du började' });
    await notice.waitFor();
    const escape = (t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.match(await notice.textContent(), new RegExp(`${escape(text(moved.label))}\\s*${escape(given[moved.id])}`), 'the dropped answer, with its old label');
    await assertAccessible(page, 'version notice');
    await page.getByRole('heading', { level: 2, name: text(def.steps[index + 1].title) }).waitFor();
    await press(page, page.getByRole('button', { name: 'Tillbaka' }), 'Back');
    await page.getByRole('heading', { level: 2, name: text(def.steps[index].title) }).waitFor();
    const kept = entries(def.steps[index].fields).filter((f) => f.id in given && f.id !== moved.id);
    assert.ok(kept.length > 0);
    for (const f of kept) assert.deepEqual(await shownValue(page, f), given[f.id], `${f.id} kept`);
    await press(page, notice.getByRole('button', { name: 'Jag förstår' }), 'I understand');
    await notice.waitFor({ state: 'detached' });
    await waitForFocusId(page, 'main', 'the page, after the notice');
    await page.context().close();
  });

  test('My drafts lists each draft to continue or delete; Delete my data leaves nothing behind', { timeout: 180_000 }, async () => {
    const def = await fetchDefinition('forskola');
    const page = await freshPage();
    // Two drafts of one form (one per child), each with something typed.
    const { index, field } = textStep(def);
    for (const [n, child] of ['Ada', 'Bo'].entries()) {
      const given = await walkTo(page, def, index);
      await fillStep(page, def, def.steps[index], given);
      await page.getByLabel(new RegExp(`^\\s*${text(field.label)}`)).first().fill(child);
      await press(page, nextButton(page), 'Next');
      await waitForStored(page, (d) => d.length === n + 1 && d.every((x) => x.progress?.[0] === index + 2), `draft ${n + 1} on step ${index + 2}`);
    }
    await page.goto(new URL('?form=forskola', BASE).href);
    await offer(page).waitFor();
    assert.match(await offer(page).textContent(), /Du har 2 påbörjade ärenden för det här formuläret/);

    await page.goto(new URL('?drafts=1', BASE).href);
    await page.getByRole('heading', { level: 1, name: 'Mina påbörjade ärenden' }).waitFor();
    const items = page.getByRole('listitem').filter({ has: page.getByRole('heading', { level: 2, name: text(def.title) }) });
    await items.nth(1).waitFor();
    assert.equal(await items.count(), 2);
    assert.match(await items.first().textContent(), new RegExp(`Steg ${index + 2} av \\d+`));
    await assertAccessible(page, 'drafts page');

    // Delete one, asked twice, with focus on the confirmation.
    await press(page, items.first().getByRole('button', { name: `Ta bort ${text(def.title)}` }), 'Delete');
    await waitForFocusId(page, await page.locator('.draft button.button--danger').getAttribute('id'), 'the confirmation');
    await assertAccessible(page, 'confirm delete');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'är borttaget' }).waitFor();
    await waitForFocusId(page, 'drafts-status', 'the status');
    await page.waitForFunction(() => document.querySelectorAll('.draft').length === 1);
    assert.equal((await storedDrafts(page)).length, 1);

    // Continue the other one from the list.
    await press(page, items.first().getByRole('link', { name: `Fortsätt ${text(def.title)}` }), 'Continue');
    await page.getByRole('heading', { level: 2, name: text(def.steps[index + 1].title) }).waitFor();

    // Delete everything this app keeps on the device.
    await page.goto(new URL('?drafts=1', BASE).href);
    await press(page, page.getByRole('button', { name: 'Radera mina uppgifter på den här enheten' }), 'Delete my data');
    await waitForFocusId(page, 'delete-all-yes', 'the confirmation');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Alla dina uppgifter på den här enheten är raderade.' }).waitFor();
    assert.deepEqual(await storedDrafts(page), []);
    const kept = await page.evaluate(async () => {
      const names = (await caches.keys()).filter((n) => n.startsWith('blankett'));
      const urls = [];
      for (const name of names) for (const r of await (await caches.open(name)).keys()) urls.push(r.url);
      const definitions = await new Promise((resolve) => {
        const open = indexedDB.open('blankett');
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('definitions')) { db.close(); resolve(0); return; }
          const count = db.transaction('definitions').objectStore('definitions').count();
          count.onsuccess = () => { db.close(); resolve(count.result); };
        };
      });
      const local = Object.keys(localStorage).filter((k) => k.startsWith('blankett:'));
      return { cached: urls.filter((u) => /\/forms\//.test(u)), definitions, local };
    });
    assert.deepEqual(kept, { cached: [], definitions: 0, local: [] });
    await page.getByRole('paragraph').filter({ hasText: 'Du har inga påbörjade ärenden på den här enheten.' }).waitFor();
    await assertAccessible(page, 'everything deleted');
    await page.context().close();
  });

  test('a draft open in another tab is not saved over, and an expired draft is gone', { timeout: 180_000 }, async () => {
    const def = await fetchDefinition('felanmalan');
    const page = await freshPage();
    const context = page.context();
    const { index, field } = textStep(def);
    await walkTo(page, def, index);
    await page.getByLabel(new RegExp(`^\\s*${text(field.label)}`)).fill('Första fliken');
    const [draft] = await waitForStored(page, (d) => d[0]?.answers?.[field.id] === 'Första fliken', 'the typed text saved');

    // The same draft in a second tab: told, and it does not save.
    const other = await page.context().newPage();
    await other.goto(new URL(`?form=felanmalan&draft=${draft.draft_id}`, BASE).href);
    const notice = other.getByText('Det här ärendet är öppet i en annan flik eller ett annat fönster.');
    await notice.waitFor();
    await assertAccessible(other, 'open in another tab');
    await other.getByLabel(new RegExp(`^\\s*${text(field.label)}`)).fill('Andra fliken');
    await other.keyboard.press('Tab');
    await other.waitForTimeout(1000); // a save would have come within 300 ms
    assert.equal((await storedDrafts(page))[0].answers[field.id], 'Första fliken');
    await other.close();

    // A draft past its expiry is deleted when the form is opened, and not offered.
    await page.evaluate((d) => new Promise((resolve) => {
      const open = indexedDB.open('blankett');
      open.onsuccess = () => {
        const tx = open.result.transaction('drafts', 'readwrite');
        tx.objectStore('drafts').put({ draft: JSON.stringify({ ...d, expires_at: Date.now() - 1000 }), source: '' }, d.draft_id);
        tx.oncomplete = () => { open.result.close(); resolve(); };
      };
    }), draft);
    await page.close();
    const fresh = await context.newPage();
    await fresh.goto(new URL('?form=felanmalan', BASE).href);
    await fresh.getByRole('button', { name: 'Börja fylla i' }).waitFor();
    await fresh.waitForFunction(() => document.querySelector('.resume') === null);
    await fresh.waitForTimeout(500); // the look for drafts has run (it deletes what expired)
    assert.equal(await offer(fresh).count(), 0, 'an expired draft is not offered');
    assert.deepEqual(await storedDrafts(fresh), []);
    await fresh.context().close();
  });

  test('storage that cannot be used is said plainly, and the form still works', { timeout: 180_000 }, async () => {
    const def = await fetchDefinition('felanmalan');
    const page = await freshPage();
    await page.addInitScript(() => {
      IDBFactory.prototype.open = () => { throw new DOMException('blocked in this test', 'SecurityError'); };
    });
    const { index, field } = textStep(def);
    await walkTo(page, def, index);
    await page.getByLabel(new RegExp(`^\\s*${text(field.label)}`)).fill('Inget sparas');
    await page.getByText('Dina svar kan inte sparas på den här enheten').first().waitFor();
    await assertAccessible(page, 'storage unavailable');
    await fillStep(page, def, def.steps[index], {});
    await press(page, nextButton(page), 'Next');
    await page.getByRole('heading', { level: 2, name: text(def.steps[index + 1].title) }).waitFor();
    await page.context().close();
  });

  test('a submitted form leaves no draft behind', { timeout: 180_000 }, async () => {
    const def = await fetchDefinition('felanmalan');
    const page = await freshPage();
    await walkTo(page, def, 0);
    for (let i = 0; ; i++) {
      const title = (await page.locator('#step-heading').textContent()).trim();
      if (title === 'Granska dina svar') break;
      const step = def.steps.find((s) => text(s.title) === title);
      await fillStep(page, def, step, {});
      await press(page, nextButton(page), 'Next');
      await page.waitForFunction((t) => document.querySelector('#step-heading')?.textContent.trim() !== t, title);
    }
    await waitForStored(page, (d) => d.length === 1 && d[0].at === 'review', 'the draft on the review page');
    await press(page, page.getByRole('button', { name: 'Skicka in' }), 'Submit');
    await page.getByRole('heading', { level: 2, name: 'Tack! Vi har tagit emot dina uppgifter' }).waitFor();
    await waitForStored(page, (d) => d.length === 0, 'the draft deleted');
    await page.context().close();
  });
});
