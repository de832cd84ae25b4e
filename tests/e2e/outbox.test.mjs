// Signed submissions delivered exactly once: sent offline and delivered when the device is
// back online, after the tab was closed, and after a reload that lost the receiver's answer;
// the receipt signed by the receiver, checked, kept on the device and printable.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  BASE, SETTLE_MS, adminGet, assertAccessible, fetchDefinition, fillToReview, launch, newPage, press,
} from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const RECEIPT = 'Tack! Vi har tagit emot dina uppgifter';

/** Opens `def` once online (so the service worker keeps the app), and fills it to review. */
async function toReview(page, def) {
  await page.goto(new URL(`?form=${def.id}&lang=sv`, BASE).href);
  await page.waitForFunction(() => Boolean(navigator.serviceWorker?.controller), null, { timeout: SETTLE_MS });
  await press(page, page.getByRole('button', { name: 'Börja fylla i' }), 'Start');
  return fillToReview(page, def);
}

/** Records every submission POST the page makes: its Idempotency-Key and body. */
function recordPosts(page) {
  const posts = [];
  page.context().on('request', async (r) => {
    if (r.url().endsWith('/api/submissions') && r.method() === 'POST') {
      posts.push({ key: (await r.allHeaders())['idempotency-key'], body: r.postData() });
    }
  });
  return posts;
}

/** The outbox's and the receipts' contents on the device. */
function device(page) {
  return page.evaluate(() => new Promise((resolve) => {
    const open = indexedDB.open('blankett');
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(['outbox', 'receipts', 'drafts']);
      const out = {};
      let left = 3;
      for (const store of ['outbox', 'receipts', 'drafts']) {
        const all = tx.objectStore(store).getAll();
        all.onsuccess = () => { out[store] = all.result; if (--left === 0) { db.close(); resolve(out); } };
      }
    };
  }));
}

/** Waits until what the device holds satisfies `test` (the outbox works in the background). */
async function waitForDevice(page, test, what, timeout = SETTLE_MS) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const held = await device(page);
    if (test(held)) return held;
    if (Date.now() > deadline) assert.fail(`${what}: outbox ${held.outbox.length}, receipts ${held.receipts.length}, drafts ${held.drafts.length}`);
    await page.waitForTimeout(100);
  }
}

describe('the outbox', () => {
  test('sent offline, delivered when the device is back online: one case, a signed receipt, printable', async () => {
    const def = await fetchDefinition('felanmalan');
    const page = await newPage(browser);
    const posts = recordPosts(page);
    await toReview(page, def);
    await page.context().setOffline(true);
    await press(page, page.getByRole('button', { name: 'Skicka in' }), 'Submit');
    const queued = page.getByRole('status').filter({ hasText: 'Ditt ärende är sparat på enheten och skickas automatiskt när du är online igen' });
    await queued.waitFor({ timeout: SETTLE_MS });
    await assertAccessible(page, 'queued offline');
    assert.equal((await device(page)).outbox.length, 1, 'in the outbox before anything was sent');

    await page.context().setOffline(false);
    await page.getByRole('heading', { level: 2, name: RECEIPT }).waitFor({ timeout: SETTLE_MS });
    const reference = (await page.locator('#reference').textContent()).trim();
    await page.getByText('Kvittot är signerat av mottagaren och sparat på den här enheten.').waitFor({ timeout: SETTLE_MS });
    assert.ok(await page.getByRole('heading', { level: 3, name: 'Det här skickade du' }).isVisible());
    assert.ok(await page.getByRole('button', { name: 'Skriv ut kvittot' }).isVisible());
    await assertAccessible(page, 'signed receipt');

    const stored = await adminGet(`api/submissions/${reference}`);
    assert.equal(stored.status, 200);
    assert.ok(posts.length >= 1);
    assert.equal(new Set(posts.map((p) => p.key)).size, 1, 'every attempt under one Idempotency-Key');
    assert.equal(new Set(posts.map((p) => p.body)).size, 1, 'and the same bytes');
    const kept = await waitForDevice(page, (d) => d.outbox.length === 0 && d.drafts.length === 0, 'the outbox emptied');
    assert.equal(kept.receipts.length, 1);
    assert.equal(JSON.parse(kept.receipts[0]).verified, true, 'kept as verified');
    assert.equal(kept.drafts.length, 0, 'the draft is gone once the receipt is kept');
    // The paper copy: the receipt and the answers, without the page's controls.
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.getByRole('button', { name: 'Skriv ut kvittot' }).isVisible(), false);
    assert.ok(await page.locator('#reference').isVisible());
    await page.context().close();
  });

  test('queued and the tab closed: delivered once when the app is opened again online', async () => {
    const def = await fetchDefinition('felanmalan');
    const page = await newPage(browser);
    const context = page.context();
    const posts = recordPosts(page);
    await toReview(page, def);
    await context.setOffline(true);
    await press(page, page.getByRole('button', { name: 'Skicka in' }), 'Submit');
    await page.getByRole('status').filter({ hasText: 'skickas automatiskt när du är online igen' }).waitFor({ timeout: SETTLE_MS });
    const [item] = (await device(page)).outbox;
    const { submission_id: id } = JSON.parse(item);
    await page.close();

    await context.setOffline(false);
    const later = await context.newPage();
    await later.goto(new URL('?lang=sv', BASE).href);
    await later.getByRole('heading', { level: 1, name: 'E-tjänster' }).waitFor();
    const held = await waitForDevice(later, (d) => d.outbox.length === 0 && d.receipts.length === 1, 'delivered from the outbox', 60_000);
    const receipt = JSON.parse(held.receipts[0]);
    assert.equal(receipt.receipt.submission_id, id);
    const stored = await adminGet(`api/submissions/${receipt.receipt.reference}`);
    assert.equal(stored.status, 200);
    assert.equal(stored.body.submission_id, id);
    assert.equal(new Set(posts.map((p) => p.key)).size, 1, 'one submission, however many attempts');
    await context.close();
  });

  test('the answer lost after the receiver stored it, then a reload: the same case, not a second', async () => {
    const def = await fetchDefinition('felanmalan');
    const page = await newPage(browser);
    const posts = recordPosts(page);
    await toReview(page, def);
    // The receiver gets and stores the submission; its answer never reaches the page.
    let first;
    await page.route('**/api/submissions', async (route) => {
      const response = await route.fetch();
      first = await response.json();
      await route.abort('connectionreset');
    });
    await press(page, page.getByRole('button', { name: 'Skicka in' }), 'Submit');
    await page.getByRole('status').filter({ hasText: 'Det gick inte att skicka just nu' }).waitFor({ timeout: SETTLE_MS });
    assert.match(first.reference, /^B-\d{4}-\d{6}$/, 'the receiver stored it');
    await page.unroute('**/api/submissions');

    await page.reload();
    const resume = page.getByRole('region', { name: 'Du har ett påbörjat ärende' });
    await resume.waitFor({ timeout: SETTLE_MS });
    await press(page, resume.getByRole('button', { name: 'Fortsätt' }), 'Continue');
    await page.getByRole('heading', { level: 2, name: 'Granska dina svar' }).waitFor({ timeout: SETTLE_MS });
    await press(page, page.getByRole('button', { name: 'Skicka in' }), 'Submit again');
    await page.getByRole('heading', { level: 2, name: RECEIPT }).waitFor({ timeout: SETTLE_MS });
    assert.equal((await page.locator('#reference').textContent()).trim(), first.reference, 'the first receipt, not a new case');
    assert.equal(new Set(posts.map((p) => p.key)).size, 1);
    assert.equal(new Set(posts.map((p) => p.body)).size, 1);
    await page.context().close();
  });
});

