// A definition and a receiver on another origin (issue 22): the receiver that serves the app
// lists that origin in `--connect-origin`, its pages' Content-Security-Policy `connect-src`
// names exactly it, and the form loads by `?src=` and submits there. Without it, the citizen
// is told that this page may not load the form from that address, not to check their
// connection, and nothing is sent.
//
// The test starts its own receivers (the built binary and app): "forms" on one port with the
// definition, and the app's receiver on another, with and without the setting.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import { ROOT, SERVER_BIN as SERVER, SETTLE_MS, fillToReview, launch, newPage, press } from './lib.mjs';

const TOKEN = 'origins-test-token-0123456789abcdef';

let browser;
const work = mkdtempSync(join(tmpdir(), 'blankett-origins-'));
const running = [];
before(async () => { browser = await launch(); });
after(async () => {
  await browser?.close();
  for (const p of running) p.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

/** Starts a receiver with `args` and the forms in `files` (paths); resolves to its base URL
 *  once it listens. */
function receiver(name, args, files = []) {
  const forms = join(work, name, 'forms');
  mkdirSync(forms, { recursive: true });
  for (const file of files) copyFileSync(file, join(forms, file.split('/').at(-1)));
  const child = spawn(SERVER, ['serve', '--addr', '127.0.0.1:0', '--dist', join(ROOT, 'dist'), '--forms', forms,
    '--db', join(work, name, 'db.sqlite3'), ...args], { env: { ...process.env, BLANKETT_ADMIN_TOKEN: TOKEN, RUST_LOG: 'warn' } });
  running.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/Blankett is running at (\S+)/);
      if (m) resolve({ base: m[1], forms });
    });
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
}

describe('a definition and a receiver on another origin', () => {
  let forms;
  before(async () => {
    // A form whose relative submit.url means the forms server's own receiver, and its logo.
    forms = await receiver('forms', [], ['tema.json', 'tema-logo.svg'].map((f) => fileURLToPath(new URL(`./forms/${f}`, import.meta.url))));
  });

  test('allowed: the policy names exactly that origin, the form loads by ?src= and submits there', async () => {
    const other = new URL(forms.base).origin;
    const app = await receiver('allowed', ['--connect-origin', other]);
    const page = await newPage(browser);
    const posts = [];
    page.on('request', (r) => { if (r.method() === 'POST') posts.push(r.url()); });
    const src = new URL('forms/tema.json', forms.base).href;
    const response = await page.goto(new URL(`?src=${encodeURIComponent(src)}&lang=sv`, app.base).href);
    const csp = response.headers()['content-security-policy'];
    assert.match(csp, new RegExp(`connect-src 'self' ${other.replace(/[.:/]/g, '\\$&')};`), csp);
    await press(page, page.getByRole('button', { name: 'Börja fylla i' }), 'Start');
    const def = await (await fetch(src)).json();
    await fillToReview(page, def);
    await press(page, page.getByRole('button', { name: 'Skicka in' }), 'Submit');
    await page.locator('#reference').waitFor({ timeout: SETTLE_MS });
    const reference = (await page.locator('#reference').textContent()).trim();
    const stored = await fetch(new URL(`api/submissions/${reference}`, forms.base), { headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(stored.status, 200, 'the other origin\'s receiver has the case');
    assert.deepEqual(posts, [new URL('api/submissions', forms.base).href], 'one submission, to the other origin');
    assert.deepEqual(page.jsErrors, []);
    await page.context().close();
  });

  test('not allowed: the citizen is told the page may not load from there, and nothing is sent', async () => {
    const other = new URL(forms.base).origin;
    const app = await receiver('blocked', []);
    const page = await newPage(browser);
    const posts = [];
    page.on('request', (r) => { if (r.method() === 'POST') posts.push(r.url()); });
    const consoleErrors = [];
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    const src = new URL('forms/tema.json', forms.base).href;
    const response = await page.goto(new URL(`?src=${encodeURIComponent(src)}&lang=sv`, app.base).href);
    assert.match(response.headers()['content-security-policy'], /connect-src 'self';/);
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: SETTLE_MS });
    const said = await alert.textContent();
    assert.match(said, new RegExp(`Den här sidan får inte hämta formuläret från ${other.replace(/[.:/]/g, '\\$&')}`));
    assert.match(said, /inte på din anslutning/);
    assert.doesNotMatch(said, /Kontrollera din anslutning/);
    // For the form's author: the console says which origin to allow, and how.
    assert.ok(consoleErrors.some((e) => e.includes(`--connect-origin ${other}`)), consoleErrors.join('\n'));
    assert.deepEqual(posts, [], 'nothing sent');
    await page.context().close();
  });
});
