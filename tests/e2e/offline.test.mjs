// The app without a network (issue 14, "App shell offline"): after one visit the service worker
// (public/sw.js, written to dist/sw.js by `cargo xtask build`) starts the app and every form
// opened before can be filled in with the network off; a new deployment is announced and
// taken only when the citizen presses Update; all of it under the receiver's strict CSP and
// from a sub-path.
import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';

import { BASE, SETTLE_MS, assertAccessible, fetchDefinition, fillToReview, launch, newPage, press, text } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const NOTICE = 'En ny version av e-tjänsten finns.';

/** Another page in the same context (same service worker and caches), with its errors kept
 *  in `jsErrors` as `newPage` does. */
async function pageIn(context) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(m.text()); });
  page.jsErrors = errors;
  return page;
}

/** Waits until a service worker controls the page (the first visit's worker claims it). */
async function waitForWorker(page) {
  try {
    await page.waitForFunction(() => Boolean(navigator.serviceWorker?.controller), null, { timeout: SETTLE_MS });
  } catch {
    assert.fail('no service worker took control of the page');
  }
}

/** The names of the caches the page's origin holds. */
function cacheNames(page) {
  return page.evaluate(() => caches.keys());
}

/** The addresses (paths and queries) kept in one cache. */
function cachedPaths(page, name) {
  return page.evaluate(async (n) => {
    const cache = await caches.open(n);
    return (await cache.keys()).map((r) => { const u = new URL(r.url); return u.pathname + u.search; }).sort();
  }, name);
}

/** Opens `?form=<id>` and waits for its start page. */
async function openForm(page, base, def) {
  const response = await page.goto(new URL(`?form=${def.id}`, base).href);
  await page.getByRole('heading', { level: 1, name: text(def.title) }).waitFor({ timeout: SETTLE_MS });
  return response;
}

/**
 * The receiver behind a small proxy on another port, as a municipality's web server would put
 * it: `<prefix>…` goes to the receiver's `/…`; `/forms/` and `/api/` (which the example
 * definitions name from the root) go to the receiver as they are; anything else is a 404, so a
 * URL that ignores the sub-path shows up in `missing`. Setting `worker` replaces what the
 * receiver returns for `sw.js`: a new deployment. (Playwright's `context.route` does not see
 * the browser's update check of a registered worker's script, so the swap is made here.)
 */
async function appServer(prefix = '/') {
  const upstream = new URL(BASE);
  const state = { missing: [], worker: null };
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    let path = null;
    if (url.pathname.startsWith(prefix)) path = `/${url.pathname.slice(prefix.length)}`;
    else if (url.pathname.startsWith('/forms/') || url.pathname.startsWith('/api/')) path = url.pathname;
    if (path === null) {
      state.missing.push(url.pathname);
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    if (path === '/sw.js' && state.worker !== null) {
      res.writeHead(200, { 'Content-Type': 'text/javascript', 'Cache-Control': 'no-cache' }).end(state.worker);
      return;
    }
    const forward = httpRequest({
      host: upstream.hostname, port: upstream.port, method: req.method, path: path + url.search,
      headers: { ...req.headers, host: upstream.host },
    }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => { if (!res.headersSent) res.writeHead(502).end(); });
    req.pipe(forward);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, {
    url: `http://127.0.0.1:${server.address().port}${prefix}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  });
}

describe('the app offline after one visit', () => {
  test('the receiver serves the worker for revalidation, with the build id and the app files', async () => {
    const res = await fetch(new URL('sw.js', BASE));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.match(res.headers.get('content-type'), /javascript/);
    const body = await res.text();
    assert.match(body, /const BUILD_ID = "[0-9a-f]{16}";/);
    const files = JSON.parse(body.match(/const APP_FILES = (\[.*\]);/)[1]);
    assert.equal(files[0], './');
    for (const kind of [/^blankett-[0-9a-f]+\.js$/, /^blankett-[0-9a-f]+_bg\.wasm$/, /^main-[0-9a-f]+\.css$/]) {
      assert.ok(files.some((f) => kind.test(f)), `${kind} in ${files}`);
    }
    // Host pages load the embed script from the network: the worker does not keep it.
    assert.ok(!files.some((f) => f.startsWith('embed')), `no embed script in ${files}`);
    // The page refers to its files relative to itself, so the app runs from a sub-path too.
    const page = await (await fetch(BASE)).text();
    assert.doesNotMatch(page, /(src|href|from|module_or_path:)\s*=?\s*['"]\/(?!\/)/, 'no absolute asset URLs in index.html');
  });

  test('felanmalan, visited once, starts and is filled in to its review with the network off', async () => {
    const def = await fetchDefinition('felanmalan');
    const first = await newPage(browser);
    const context = first.context();
    await openForm(first, BASE, def);
    await waitForWorker(first);
    const names = await cacheNames(first);
    const app = names.filter((n) => n.startsWith('blankett-app:/:'));
    assert.equal(app.length, 1, `one app cache: ${names}`);
    assert.ok(names.includes('blankett-data'), `a data cache: ${names}`);
    assert.ok(names.every((n) => n.startsWith('blankett')), `every cache is the app's: ${names}`);
    // The bundled forms are kept when the worker installs.
    const data = await cachedPaths(first, 'blankett-data');
    for (const path of ['/forms/index.json', '/forms/felanmalan.json', '/forms/forskola.json', '/forms/lists/forskolor.json']) {
      assert.ok(data.includes(path), `${path} kept: ${data}`);
    }
    assert.deepEqual(first.jsErrors, []);
    await first.close();

    await context.setOffline(true);
    const page = await pageIn(context);
    const response = await openForm(page, BASE, def);
    // The kept page gets a fresh nonce every time, matching its policy: the CSP stays on.
    const nonceOf = async (p, r) => {
      const csp = r.headers()['content-security-policy'] ?? '';
      const header = csp.match(/'nonce-([0-9a-f]+)'/)?.[1];
      const script = await p.evaluate(() => document.querySelector('script[nonce]')?.nonce);
      assert.ok(header, `the offline page has a nonce in its policy: ${csp}`);
      assert.equal(script, header, 'the scripts carry the policy\'s nonce');
      return header;
    };
    const nonce = await nonceOf(page, response);
    await press(page, page.getByRole('button', { name: 'Börja fylla i' }), 'Start');
    await fillToReview(page, def);
    await assertAccessible(page, 'felanmalan review, offline');
    assert.deepEqual(page.jsErrors, [], 'no errors (and no CSP violations) offline');

    // The draft survives a reload offline: continued on the review page.
    await page.waitForFunction(() => document.querySelector('#save-status')?.dataset.savedAt, null, { timeout: SETTLE_MS });
    await page.reload();
    const resume = page.getByRole('region', { name: 'Du har ett påbörjat ärende' });
    await resume.waitFor({ timeout: SETTLE_MS });
    await press(page, resume.getByRole('button', { name: 'Fortsätt' }), 'Continue');
    await page.getByRole('heading', { level: 2, name: 'Granska dina svar' }).waitFor({ timeout: SETTLE_MS });

    const again = await pageIn(context);
    assert.notEqual(await nonceOf(again, await openForm(again, BASE, def)), nonce, 'a new nonce for every page');
    await again.close();

    // Back online, the submission goes to the receiver: the worker never touches a POST.
    await context.setOffline(false);
    await press(page, page.getByRole('button', { name: 'Skicka in' }), 'Submit');
    await page.getByRole('heading', { level: 2, name: 'Tack! Vi har tagit emot dina uppgifter' }).waitFor({ timeout: SETTLE_MS });
    assert.deepEqual(await cachedPaths(page, 'blankett-data').then((p) => p.filter((x) => x.includes('api'))), []);
    await context.close();
  });

  test('a form with a code list (forskola), opened once, works offline from what was kept at run time', async () => {
    const def = await fetchDefinition('forskola');
    const first = await newPage(browser);
    const context = first.context();
    await openForm(first, BASE, def);
    await waitForWorker(first);
    // Forget what the worker kept at install, so that only what the page opens now is kept.
    await first.evaluate(() => caches.delete('blankett-data'));
    await first.reload();
    await first.getByRole('heading', { level: 1, name: text(def.title) }).waitFor({ timeout: SETTLE_MS });
    const deadline = Date.now() + SETTLE_MS;
    let kept = [];
    while (Date.now() < deadline) {
      kept = await cachedPaths(first, 'blankett-data').catch(() => []);
      if (kept.includes('/forms/forskola.json') && kept.includes('/forms/lists/forskolor.json')) break;
      await first.waitForTimeout(100);
    }
    assert.deepEqual(kept, ['/forms/forskola.json', '/forms/lists/forskolor.json'], 'the definition and its code list are kept as they are opened');
    await first.close();

    await context.setOffline(true);
    const page = await pageIn(context);
    await openForm(page, BASE, def);
    await press(page, page.getByRole('button', { name: 'Börja fylla i' }), 'Start');
    await fillToReview(page, def);
    assert.deepEqual(page.jsErrors, []);

    // A form never opened is not there offline, and the app says so instead of failing blank.
    const other = await pageIn(context);
    await other.goto(new URL('?form=oep-trygghetslarm', BASE).href);
    await other.getByRole('alert').waitFor({ timeout: SETTLE_MS });
    await context.close();
  });

  test('a form that is not bundled, opened on the very first visit, is kept when the worker installs', async () => {
    // kompost is served by the receiver but not listed in forms/index.json; the page fetched
    // it before the worker existed.
    const def = await fetchDefinition('kompost');
    const first = await newPage(browser);
    const context = first.context();
    await openForm(first, BASE, def);
    await waitForWorker(first);
    assert.ok((await cachedPaths(first, 'blankett-data')).includes('/forms/kompost.json'));
    await first.close();

    await context.setOffline(true);
    const page = await pageIn(context);
    await openForm(page, BASE, def);
    await press(page, page.getByRole('button', { name: 'Börja fylla i' }), 'Start');
    await fillToReview(page, def);
    assert.deepEqual(page.jsErrors, []);
    await context.close();
  });

  test('definitions come from the network when there is one (network-first)', async () => {
    const def = await fetchDefinition('felanmalan');
    const first = await newPage(browser);
    const context = first.context();
    await openForm(first, BASE, def);
    await waitForWorker(first);
    // The receiver publishes a changed definition: an online visit sees it at once ...
    const changed = { ...def, title: { sv: 'Felanmälan (ändrad)', en: 'Report a fault (changed)' } };
    await context.route('**/forms/felanmalan.json', (route) => route.fulfill({ json: changed, headers: { 'Cache-Control': 'no-cache' } }));
    const page = await pageIn(context);
    await openForm(page, BASE, changed);
    await context.unroute('**/forms/felanmalan.json');
    await page.close();
    // ... and keeps it: offline, the changed definition is the one there.
    await context.setOffline(true);
    const offline = await pageIn(context);
    await openForm(offline, BASE, changed);
    assert.deepEqual(offline.jsErrors, []);
    await context.close();
  });

  test('a new deployment is announced, and taken only when the citizen presses Update', async () => {
    const server = await appServer();
    try {
      const page = await newPage(browser);
      const context = page.context();
      const def = await fetchDefinition('felanmalan');
      await openForm(page, server.url, def);
      await waitForWorker(page);
      const before = (await cacheNames(page)).filter((n) => n.startsWith('blankett-app:'));
      assert.equal(before.length, 1, `${before}`);
      // The first install says nothing.
      await page.waitForTimeout(500);
      assert.equal(await page.getByText(NOTICE).count(), 0, 'no notice for the first install');

      // A new deployment: the same worker with another build id.
      const original = await (await fetch(new URL('sw.js', BASE))).text();
      const nextId = `${original.match(/const BUILD_ID = "([0-9a-f]+)"/)[1]}-next`;
      server.worker = original.replace(/const BUILD_ID = "[0-9a-f]+"/, `const BUILD_ID = "${nextId}"`);
      await page.evaluate(() => { window.__sameDocument = true; });
      await press(page, page.getByRole('button', { name: 'Börja fylla i' }), 'Start');
      await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());

      const notice = page.getByRole('status').filter({ hasText: NOTICE });
      await notice.waitFor({ timeout: SETTLE_MS });
      await assertAccessible(page, 'update notice');
      const button = notice.getByRole('button', { name: 'Uppdatera', exact: true });
      assert.ok(await button.isVisible());
      // Never a reload on its own: the citizen is still on the same page, on step 1.
      await page.waitForTimeout(1000);
      assert.ok(await page.evaluate(() => window.__sameDocument === true), 'the page did not reload by itself');
      assert.ok(await page.locator('#step-heading').isVisible());

      const reloaded = page.waitForEvent('load', { timeout: SETTLE_MS });
      await press(page, button, 'Update');
      await reloaded;
      await page.getByRole('heading', { level: 1, name: text(def.title) }).waitFor({ timeout: SETTLE_MS });
      assert.equal(await page.evaluate(() => window.__sameDocument), undefined, 'the page reloaded');
      await waitForWorker(page);
      const after = (await cacheNames(page)).filter((n) => n.startsWith('blankett-app:'));
      assert.deepEqual(after, [`blankett-app:/:${nextId}`], 'the new version serves the page; the old one is gone');
      assert.equal(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).waiting), null);
      assert.equal(await page.getByText(NOTICE).count(), 0, 'no notice after the update');
      assert.deepEqual(page.jsErrors, []);
      await context.close();
    } finally {
      await server.close();
    }
  });
});

describe('the app under a sub-path', () => {
  test('starts there, registers its worker for that folder, and starts again offline', async () => {
    const server = await appServer('/e-tjanster/blankett/');
    try {
      const def = await fetchDefinition('felanmalan');
      const first = await newPage(browser);
      const context = first.context();
      await openForm(first, server.url, def);
      await waitForWorker(first);
      const scope = await first.evaluate(async () => (await navigator.serviceWorker.ready).scope);
      assert.equal(scope, server.url, 'the worker\'s scope is the app\'s folder');
      assert.equal(await first.evaluate(() => navigator.serviceWorker.controller.scriptURL), `${server.url}sw.js`);
      const app = (await cacheNames(first)).filter((n) => n.startsWith('blankett-app:'));
      assert.equal(app.length, 1);
      assert.ok(app[0].startsWith('blankett-app:/e-tjanster/blankett/:'), app[0]);
      const files = await cachedPaths(first, app[0]);
      assert.ok(files.every((f) => f.startsWith('/e-tjanster/blankett/')), `the app's files are under the sub-path: ${files}`);
      assert.deepEqual(first.jsErrors, []);
      await first.close();

      await context.setOffline(true);
      const page = await pageIn(context);
      await openForm(page, server.url, def);
      await press(page, page.getByRole('button', { name: 'Börja fylla i' }), 'Start');
      await fillToReview(page, def);
      // The list of e-services, kept at install, is there offline too.
      const catalogue = await pageIn(context);
      await catalogue.goto(server.url);
      await catalogue.getByRole('link', { name: text(def.title) }).waitFor({ timeout: SETTLE_MS });
      assert.deepEqual([...page.jsErrors, ...catalogue.jsErrors], []);
      assert.deepEqual(server.missing, [], 'every request stayed under the sub-path (or went to /forms/, /api/)');
      await context.close();
    } finally {
      await server.close();
    }
  });
});
