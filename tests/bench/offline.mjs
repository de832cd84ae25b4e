// Browser figure for `cargo xtask bench`: a second visit with the network off. After one visit
// online, the service worker serves the app and the definition from the device; how long from
// navigation until the first field of the 1,000-field form (bench1000, written by
// conditions.mjs, opened with `start=1`) takes a key press? Beside it the physical limit: a
// plain static HTML page with the same first step's 20 labelled fields and no script but its
// own minimal service worker, served the same way. Median and p95 over RUNS runs, each in a
// fresh browser context (visit online, wait for the worker, network off, visit again), with
// no CPU throttling and with 4x, as the comparison's phone.
//
//   node offline.mjs measure <base-url>    prints the table
import { createServer } from 'node:http';

import { launch } from '../e2e/lib.mjs';

const RUNS = 12;
const THROTTLES = [1, 4];
const TIMEOUT = 60_000;

const [mode, base] = process.argv.slice(2);
if (mode !== 'measure' || !base) {
  console.error('usage: node offline.mjs measure <base-url>');
  process.exit(2);
}

const escape = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const label = (t) => (typeof t === 'string' ? t : t.sv ?? Object.values(t)[0]);

/** The plain page: the definition's first step as labelled inputs with the app's ids. */
function staticPage(def) {
  const step = def.steps[0];
  const fields = step.fields.map((f) => {
    const type = f.type === 'integer' || f.type === 'number' ? 'number' : 'text';
    return `<div><label for="f-${f.id}">${escape(label(f.label))}</label><input id="f-${f.id}" name="${f.id}" type="${type}"></div>`;
  }).join('\n');
  return `<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(label(step.title))} – ${escape(label(def.title))}</title><link rel="icon" href="data:,"></head>
<body><main><h1>${escape(label(def.title))}</h1><form><h2>${escape(label(step.title))}</h2>
${fields}
<button type="button">Nästa</button></form></main>
<script>navigator.serviceWorker.register('sw.js');</script></body></html>`;
}

/** The static page's worker: keeps the page, answers its navigation from the cache. */
const STATIC_WORKER = `
self.addEventListener('install', (e) => e.waitUntil(caches.open('static').then((c) => c.add('./'))));
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));
self.addEventListener('fetch', (e) => {
  if (e.request.mode !== 'navigate') return;
  e.respondWith(caches.match('./', { ignoreSearch: true }).then((r) => r || fetch(e.request)));
});`;

async function staticServer(html) {
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path === '/') res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' }).end(html);
    else if (path === '/sw.js') res.writeHead(200, { 'Content-Type': 'text/javascript', 'Cache-Control': 'no-cache' }).end(STATIC_WORKER);
    else res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}

// Runs in the page before its scripts: when the first field is shown, and when it takes input.
function probe(selector) {
  const b = (window.__bench = { visibleAt: null, inputAt: null });
  const tick = () => {
    const el = document.querySelector(selector);
    if (el && el.isConnected && el.checkVisibility() && el.getBoundingClientRect().height > 0) {
      b.visibleAt = performance.now();
      window.__benchVisible?.();
      return;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  addEventListener('input', (e) => { if (b.inputAt === null && e.target.matches?.(selector)) b.inputAt = performance.now(); }, true);
}

/** One run: a visit online, then the measured visit offline, in a fresh context. */
async function run(browser, url, selector, throttle) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'sv-SE' });
  try {
    const first = await context.newPage();
    await first.goto(url);
    await first.locator(selector).waitFor({ timeout: TIMEOUT });
    await first.waitForFunction(() => Boolean(navigator.serviceWorker?.controller), null, { timeout: TIMEOUT });
    await first.close();
    await context.setOffline(true);

    const page = await context.newPage();
    let shown;
    const visible = new Promise((resolve) => { shown = resolve; });
    await page.exposeFunction('__benchVisible', () => shown());
    await page.addInitScript(probe, selector);
    if (throttle > 1) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttle });
    }
    await page.goto(url, { waitUntil: 'commit', timeout: TIMEOUT });
    await Promise.race([visible, new Promise((_, reject) => setTimeout(() => reject(new Error(`${selector} never shown at ${url}`)), TIMEOUT))]);
    // Accepts input: a key pressed as soon as the field is shown changes its value.
    for (let attempt = 0; ; attempt++) {
      await page.evaluate((sel) => { window.__bench.inputAt = null; document.querySelector(sel).focus(); }, selector);
      await page.keyboard.press('x');
      const ok = await page.evaluate((sel) => new Promise((resolve) => requestAnimationFrame(() => {
        resolve(window.__bench.inputAt !== null && document.querySelector(sel)?.value?.endsWith('x'));
      })), selector);
      if (ok) break;
      if (attempt > 200) throw new Error(`${selector} never accepted input at ${url}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const times = await page.evaluate(() => ({ visible: window.__bench.visibleAt, input: window.__bench.inputAt }));
    // Served by the worker: the page did load with the network off.
    const reachable = await page.evaluate(() => fetch(`/offline-check-${Date.now()}`).then(() => true, () => false));
    if (reachable) throw new Error('the measured visit was not offline');
    return times;
  } finally {
    await context.close();
  }
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q) => s[Math.round((s.length - 1) * q)].toFixed(0);
  return `${at(0.5).padStart(5)} / ${at(0.95).padStart(5)}`;
};

const def = await (await fetch(new URL('forms/bench1000.json', base))).json();
const plain = await staticServer(staticPage(def));
const browser = await launch();
try {
  const targets = [
    ['Blankett, bench1000 (service worker)', new URL('?form=bench1000&start=1&lang=sv', base).href],
    ['static HTML, same 20 fields (its own worker)', plain.url],
  ];
  const rows = [];
  for (const [name, url] of targets) {
    const cells = [];
    for (const throttle of THROTTLES) {
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push(await run(browser, url, '#f-f0', throttle));
      cells.push(stats(runs.map((r) => r.visible)), stats(runs.map((r) => r.input)));
    }
    rows.push([name, ...cells]);
  }
  console.log(`\nBrowser (headless Chromium, release wasm): second visit with the network off, ms from navigation, median / p95 over ${RUNS} runs`);
  const head = THROTTLES.flatMap((t) => [`field shown${t > 1 ? ` ${t}x CPU` : ''}`, `takes input${t > 1 ? ` ${t}x CPU` : ''}`]);
  console.log(`  ${''.padEnd(46)}${head.map((h) => h.padStart(22)).join('')}`);
  for (const [name, ...cells] of rows) console.log(`  ${name.padEnd(46)}${cells.map((c) => c.padStart(22)).join('')}`);
  console.log('  (takes input: a key pressed once the field is shown changes its value; the harness\'s round trip, focus and');
  console.log('  key press over the DevTools protocol, is in both rows: on the static page it is all of the difference)');
} finally {
  await browser.close();
  await plain.close();
}
