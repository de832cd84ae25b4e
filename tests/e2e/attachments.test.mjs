// Attachments as a citizen meets them: files chosen with the keyboard, kept through a reload,
// a killed browser and a cut connection, delivered once and stored byte for byte; files the
// form does not take are refused at once, by name, at the field and in the error summary.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  BASE, SAMPLE_BYTES, SETTLE_MS, adminBytes, adminGet, answer, assertAccessible, attachByKeyboard,
  attachedFile, control, fetchDefinition, launch, newPage, nextButton, press, startKillable, tabTo, text,
  waitForFocusId, waitForSave,
} from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const RECEIPT = 'Tack! Vi har tagit emot dina uppgifter';
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** The test form's fields by id. */
async function form() {
  const def = await fetchDefinition('bilagor');
  const fields = Object.fromEntries(def.steps[0].fields.map((f) => [f.id, f]));
  return { def, fields };
}

/** Opens the test form on its one step. */
async function open(page, def) {
  await page.goto(new URL('?form=bilagor&lang=sv', BASE).href);
  await press(page, page.getByRole('button', { name: 'Börja fylla i' }), 'Start');
  await page.getByRole('heading', { level: 2, name: text(def.steps[0].title) }).waitFor({ timeout: SETTLE_MS });
}

/** A JPEG photo of w×h pixels made by Chromium's own encoder: a gradient with a little noise,
 *  as a camera's photo of a wall would be. */
async function photo(page, w, h) {
  const b64 = await page.evaluate(([w, h]) => {
    const c = document.createElement('canvas');
    c.width = w;
    c.height = h;
    const g = c.getContext('2d');
    const img = g.createImageData(w, h);
    for (let i = 0; i < w * h; i++) {
      const x = i % w;
      const y = Math.floor(i / w);
      const n = (Math.random() - 0.5) * 24;
      img.data[4 * i] = (x * 255) / w + n;
      img.data[4 * i + 1] = (y * 255) / h + n;
      img.data[4 * i + 2] = 128 + n;
      img.data[4 * i + 3] = 255;
    }
    g.putImageData(img, 0, 0);
    return c.toDataURL('image/jpeg', 0.95).split(',')[1];
  }, [w, h]);
  return Buffer.from(b64, 'base64');
}

/** A JPEG's width and height, from its start-of-frame segment. */
function jpegSize(bytes) {
  for (let i = 2; i < bytes.length - 9;) {
    if (bytes[i] !== 0xff) { i++; continue; }
    const marker = bytes[i + 1];
    if (marker >= 0xc0 && marker <= 0xc3) return { height: bytes.readUInt16BE(i + 5), width: bytes.readUInt16BE(i + 7) };
    i += 2 + bytes.readUInt16BE(i + 2);
  }
  return null;
}

/** A PDF of `size` bytes with `tag` in it (distinct files have distinct tags). */
function pdf(tag, size = SAMPLE_BYTES['application/pdf'].length + 40) {
  const head = Buffer.concat([SAMPLE_BYTES['application/pdf'], Buffer.from(`% ${tag}\n`)]);
  return Buffer.concat([head, Buffer.alloc(Math.max(0, size - head.length), 0x20)]);
}

describe('attachments', () => {
  test('a photo and a PDF by keyboard, through a reload, a killed browser and a cut connection: stored byte for byte', { timeout: 240_000 }, async () => {
    const { def, fields } = await form();
    const profile = mkdtempSync(join(tmpdir(), 'blankett-files-'));
    try {
      const first = await startKillable(profile);
      const page = await first.cdp.contexts()[0].newPage();
      await open(page, def);
      await answer(page, fields.arende, 'BN 2026-123');
      const original = await photo(page, 2400, 1600);
      assert.ok(original.length > fields.ritningar.max_file_size, `the photo (${original.length} B) is larger than the field takes before it is made smaller`);
      const drawing = pdf('ritning');
      const started = Date.now();
      await attachByKeyboard(page, control(page, fields.ritningar), [
        { name: 'foto.jpg', mimeType: 'image/jpeg', buffer: original },
        { name: 'ritning.pdf', mimeType: 'application/pdf', buffer: drawing },
      ], 'the file chooser');
      for (const name of ['foto.jpg', 'ritning.pdf']) await attachedFile(page, fields.ritningar, name).waitFor({ timeout: SETTLE_MS });
      await page.getByRole('status').filter({ hasText: 'foto.jpg är bifogad. ritning.pdf är bifogad.' }).waitFor({ timeout: SETTLE_MS });
      assert.equal(await page.locator('#f-ritningar-error').count(), 0, 'no message: the photo was made small enough');
      assert.ok(await page.getByRole('button', { name: 'Ta bort foto.jpg' }).isVisible());
      await assertAccessible(page, 'two files attached');
      await waitForSave(page, started);

      // A reload: the draft is offered and the files come back with it.
      await page.reload();
      const offer = page.getByRole('region', { name: 'Du har ett påbörjat ärende' });
      await offer.waitFor({ timeout: SETTLE_MS });
      await press(page, offer.getByRole('button', { name: 'Fortsätt' }), 'Continue');
      for (const name of ['foto.jpg', 'ritning.pdf']) await attachedFile(page, fields.ritningar, name).waitFor({ timeout: SETTLE_MS });

      // The browser killed: a new one on the same profile has the draft and the files' bytes.
      const exited = new Promise((r) => first.chrome.on('exit', r));
      first.chrome.kill('SIGKILL');
      await exited;
      const second = await startKillable(profile);
      const context = second.cdp.contexts()[0];
      const again = await context.newPage();
      await again.goto(new URL('?form=bilagor&lang=sv', BASE).href);
      const offered = again.getByRole('region', { name: 'Du har ett påbörjat ärende' });
      await offered.waitFor({ timeout: SETTLE_MS });
      await press(again, offered.getByRole('button', { name: 'Fortsätt' }), 'Continue');
      for (const name of ['foto.jpg', 'ritning.pdf']) await attachedFile(again, fields.ritningar, name).waitFor({ timeout: SETTLE_MS });
      assert.equal(await again.getByText('finns inte längre på den här enheten').count(), 0, 'both files are still on the device');

      // Offline: reviewed and submitted; it waits on the device and goes when back online.
      await context.setOffline(true);
      await press(again, nextButton(again), 'Next');
      await again.getByRole('heading', { level: 2, name: 'Granska dina svar' }).waitFor({ timeout: SETTLE_MS });
      const listed = again.locator('.review-value').filter({ hasText: 'ritning.pdf' });
      assert.match(await listed.textContent(), /foto\.jpg \(\d+ kB\)\s+ritning\.pdf \(\d+ B\)/, 'the review page lists both files with their sizes');
      await assertAccessible(again, 'review with files');
      await press(again, again.getByRole('button', { name: 'Skicka in' }), 'Submit');
      await again.getByRole('status').filter({ hasText: 'skickas automatiskt när du är online igen' }).waitFor({ timeout: SETTLE_MS });
      await context.setOffline(false);
      await again.getByRole('heading', { level: 2, name: RECEIPT }).waitFor({ timeout: 60_000 });
      const reference = (await again.locator('#reference').textContent()).trim();

      const stored = await adminGet(`api/submissions/${reference}`);
      assert.equal(stored.status, 200);
      const refs = stored.body.answers.ritningar;
      assert.deepEqual(refs.map((r) => [r.name, r.type]), [['foto.jpg', 'image/jpeg'], ['ritning.pdf', 'application/pdf']]);
      for (const ref of refs) {
        const file = await adminBytes(`api/submissions/${reference}/files/${ref.sha256}`);
        assert.equal(file.status, 200, `${ref.name} is stored`);
        assert.equal(sha256(file.bytes), ref.sha256, `${ref.name}: the stored bytes are the ones the browser hashed`);
        assert.equal(file.bytes.length, ref.size);
        assert.equal(file.headers.get('content-type'), ref.type);
      }
      const [storedPhoto, storedPdf] = await Promise.all(refs.map((r) => adminBytes(`api/submissions/${reference}/files/${r.sha256}`)));
      assert.ok(storedPdf.bytes.equals(drawing), 'the PDF is stored byte for byte');
      const size = jpegSize(storedPhoto.bytes);
      assert.ok(size && Math.max(size.width, size.height) === 800, `the photo was made smaller on the device (${JSON.stringify(size)})`);
      assert.ok(storedPhoto.bytes.length < original.length);
      await second.cdp.close();
      second.chrome.kill('SIGKILL');
    } finally {
      try { rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }); } catch { /* a temp folder */ }
    }
  });

  test('the connection dropped during the second upload: the retry sends only that file, and one submission', { timeout: 120_000 }, async () => {
    const { def, fields } = await form();
    // No service worker, so that every request passes the route below.
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'sv-SE', serviceWorkers: 'block' });
    const page = await context.newPage();
    const first = pdf('först');
    const second = pdf('sedan');
    const [firstHash, secondHash] = [sha256(first), sha256(second)];
    const sent = { [firstHash]: 0, [secondHash]: 0, posts: 0 };
    let dropped = false;
    await context.route('**/api/submissions/**/files/*', async (route) => {
      const hash = route.request().url().split('/').at(-1);
      if (hash === secondHash && !dropped) {
        dropped = true;
        await route.abort('connectionreset');
        return;
      }
      sent[hash] = (sent[hash] ?? 0) + 1;
      await route.continue();
    });
    context.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/api/submissions')) sent.posts += 1; });

    await open(page, def);
    await answer(page, fields.arende, 'BN 2026-456');
    await attachByKeyboard(page, control(page, fields.ritningar), [
      { name: 'forst.pdf', mimeType: 'application/pdf', buffer: first },
      { name: 'sedan.pdf', mimeType: 'application/pdf', buffer: second },
    ], 'the file chooser');
    for (const name of ['forst.pdf', 'sedan.pdf']) await attachedFile(page, fields.ritningar, name).waitFor({ timeout: SETTLE_MS });
    await press(page, nextButton(page), 'Next');
    await page.getByRole('heading', { level: 2, name: 'Granska dina svar' }).waitFor({ timeout: SETTLE_MS });
    await press(page, page.getByRole('button', { name: 'Skicka in' }), 'Submit');
    // The outbox tries again by itself (after 2.5–7.5 s) and gets the receipt.
    await page.getByRole('heading', { level: 2, name: RECEIPT }).waitFor({ timeout: 60_000 });
    assert.ok(dropped, 'the second upload was cut off once');
    assert.equal(sent[firstHash], 1, 'the first file, confirmed before the drop, was not sent again');
    assert.equal(sent[secondHash], 1, 'the second file went once more, whole');
    assert.equal(sent.posts, 1, 'the submission was posted once, after both files');
    const reference = (await page.locator('#reference').textContent()).trim();
    const stored = await adminGet(`api/submissions/${reference}`);
    assert.deepEqual(stored.body.answers.ritningar.map((r) => r.sha256), [firstHash, secondHash]);
    for (const [hash, bytes] of [[firstHash, first], [secondHash, second]]) {
      const file = await adminBytes(`api/submissions/${reference}/files/${hash}`);
      assert.ok(file.bytes.equals(bytes), 'stored byte for byte');
    }
    await context.close();
  });

  test('a program named .pdf, a file too large and one too many: refused by name, in the summary, axe clean', async () => {
    const { def, fields } = await form();
    const page = await newPage(browser);
    await open(page, def);
    const chooser = control(page, fields.ritningar);
    const message = page.locator('#f-ritningar-error');
    const remove = async (name) => {
      await press(page, page.getByRole('button', { name: `Ta bort ${name}` }), `Remove ${name}`);
      await waitForFocusId(page, 'f-ritningar', 'the file chooser after removing');
      await page.getByRole('status').filter({ hasText: `${name} är borttagen.` }).waitFor({ timeout: SETTLE_MS });
    };

    // An executable with a PDF's name: the type comes from the bytes.
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(2000, 0x90)]);
    await attachByKeyboard(page, chooser, [{ name: 'intyg.pdf', mimeType: 'application/pdf', buffer: elf }], 'the file chooser');
    await message.filter({ hasText: 'intyg.pdf är av en filtyp som inte tas emot här. Välj en fil av typen PDF, JPEG, PNG.' }).waitFor({ timeout: SETTLE_MS });
    assert.equal(await chooser.getAttribute('aria-invalid'), 'true');
    await assertAccessible(page, 'a file of the wrong type');
    await press(page, nextButton(page), 'Next');
    const summary = page.locator('#error-summary');
    await summary.waitFor({ timeout: SETTLE_MS });
    await waitForFocusId(page, 'error-summary');
    const link = summary.getByRole('link', { name: /intyg\.pdf är av en filtyp/ });
    await press(page, link, 'the summary link');
    await waitForFocusId(page, 'f-ritningar', 'the file chooser from the summary');
    await assertAccessible(page, 'error summary for a file');
    await remove('intyg.pdf');
    // After Next, an empty required field says what it needs instead.
    await message.filter({ hasText: 'Bifoga en fil.' }).waitFor({ timeout: SETTLE_MS });

    // Too large: named with its size and the limit.
    await attachByKeyboard(page, chooser, [{ name: 'stor.pdf', mimeType: 'application/pdf', buffer: pdf('stor', 400_000) }], 'the file chooser');
    await message.filter({ hasText: 'stor.pdf är 400 kB. En fil får vara högst 300 kB.' }).waitFor({ timeout: SETTLE_MS });
    await assertAccessible(page, 'a file too large');
    await remove('stor.pdf');

    // One too many: three files where two are allowed.
    await attachByKeyboard(page, chooser, ['a', 'b', 'c'].map((n) => ({ name: `${n}.pdf`, mimeType: 'application/pdf', buffer: pdf(n) })), 'the file chooser');
    await message.filter({ hasText: 'Ta bort filer så att det är högst 2 kvar.' }).waitFor({ timeout: SETTLE_MS });
    await assertAccessible(page, 'one file too many');
    await remove('c.pdf');
    await message.waitFor({ state: 'detached', timeout: SETTLE_MS });
    assert.equal(await attachedFile(page, fields.ritningar, 'a.pdf').count(), 1);

    // The limits are said before anything is chosen, and tied to the chooser.
    const limits = page.locator('#f-ritningar-limits');
    assert.equal((await limits.textContent()).trim(), 'Filtyper: PDF, JPEG, PNG. Högst 300 kB per fil. Högst 2 filer, sammanlagt högst 500 kB.');
    assert.match(await chooser.getAttribute('aria-describedby'), /f-ritningar-limits/);
    await tabTo(page, chooser, 'the file chooser');
    assert.deepEqual(page.jsErrors, []);
    await page.context().close();
  });
});
