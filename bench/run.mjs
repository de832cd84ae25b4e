// Blankett, SurveyJS and Form.io side by side: the same forms (generate.mjs), served from
// loopback with brotli (serve.mjs), loaded in headless Chromium with the CPU throttled 4×
// and a slow-3G network, several runs each. Prints one table and writes it to
// results/latest.md. The figures are for reading; nothing here asserts them.
//
//   node run.mjs [--runs N] [--sizes 20,200,1000] [--only blankett,blankett-receiver,surveyjs,formio,static]
//   node run.mjs --smoke     one size (20), one run: checks that every runtime rendered the
//                            form and produced a number for every metric; writes nothing
//
// The runtimes (columns):
// - blankett: dist/ served by serve.mjs (brotli quality 11 by node, like the peers).
// - blankett-receiver: the same dist/ as Blankett's own receiver serves it to citizens
//   (`blankett-server serve`, see serve.mjs): the build's precompressed .br files, the
//   receiver's cache headers and Content-Security-Policy, the definition compressed by the
//   receiver as it sends it, and the app's real sw.js.
// - surveyjs, formio: the peers, served by serve.mjs.
// - static: a plain HTML page of the same 20 fields (generate.mjs, `staticPage`): no runtime,
//   a few lines of inline CSS and an inline script of a few lines for the one condition. Only
//   at 20 fields (one step); "–" at the other sizes.
//
// Each run is a first visit: every page load is in a new browser (a new, empty profile: no
// HTTP cache, no service worker, no storage), with the cache disabled. The harness records
// whether a service worker controlled the page when it started and whether any response came
// from a cache or a service worker (the smoke test fails if so). Blankett registers its
// service worker once it has started: from serve.mjs it gets one that does nothing; from the
// receiver, the real one, which then fetches the app's files for offline use. Those requests
// are the worker's, not the page's: not in the bytes below (a note in results/latest.md
// lists them).
//
// How each figure is taken (the same code for all runtimes; only the CSS selectors of the
// first text field, the first yes/no's "yes"/"no" and its dependent differ):
// - bytes: the page's own responses as Chromium received them (CDP Network events of the
//   page, the same for every column): the body as sent is `loadingFinished.encodedDataLength`
//   less the response headers' bytes (`responseReceived.response.encodedDataLength`), the
//   uncompressed body the sum of `dataReceived.dataLength`. JS + CSS + WASM responses (by MIME
//   type) are the runtime; the HTML page is not counted (its script and style are the host's),
//   the form definition (/forms/…) has its own row. The static page has no JS, CSS or WASM
//   file (runtime 0): its row "form definition" is the page itself, as the page is the form.
//   For the columns served by serve.mjs the same figures are in the server's log, and the
//   harness checks that both agree to the byte (the smoke test fails if not); for the
//   receiver it checks each file against its Content-Length.
// - first field visible: performance.now() (from navigation start) after the first frame in
//   which the first text field is in the DOM, rendered and not hidden (checked every frame).
// - first field accepts input: as soon as it is visible, the harness focuses it and presses a
//   key; the time of the resulting `input` event, once the character is still in the field a
//   frame later (retried until it is).
// - input latency: 50 key presses in that field, ~100 ms apart; each from the keydown event's
//   timestamp to just after the next frame (rAF, then a posted task), median and p95.
//   At the end of the run, 25 more presses with the runtime's `input` listeners blocked give
//   the page's own floor: the browser's work for a key press in that page, which no runtime
//   can go below.
// - show/hide: a real click on the first yes/no's "yes" (then "no") label, from the click
//   event's timestamp to just after the first frame in which the dependent field is visible
//   (hidden); 3 of each per run.
// - memory, after the form is rendered and the network is quiet: a full GC, then
//   Performance.getMetrics JSHeapUsedSize; plus, for Blankett, the byteLength of the wasm
//   module's WebAssembly.Memory (from trunk's TrunkApplicationStarted event). ArrayBuffers
//   are not in JSHeapUsedSize, so the two are added.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import { HERE, ROOT, SIZES, STATIC_SIZES, checkBlankett, layout, writeAll } from './generate.mjs';
import { receiverBinary, startServers } from './serve.mjs';

const CPU_THROTTLE = 4;
const NETWORK = { offline: false, latency: 400, downloadThroughput: 50_000, uploadThroughput: 50_000 }; // 400 kbit/s
const KEY_PRESSES = 50;
const FLOOR_KEY_PRESSES = 25;
const KEY_GAP_MS = 100;
const TOGGLES = 3;
const TIMEOUT = 180_000;

/** Per runtime: its name, page address and the selectors the harness needs. */
const BLANKETT_PAGE = {
  path: (form) => `?form=${form}&start=1`,
  startButton: 'Börja fylla i',
  field: (id) => `#f-${id}`,
  choice: (id, yes) => `input[name="f-${id}"][value="${yes ? 'yes' : 'no'}"]`,
};
const RUNTIMES = {
  blankett: { name: 'Blankett', ...BLANKETT_PAGE },
  'blankett-receiver': { name: 'Blankett (receiver)', ...BLANKETT_PAGE },
  surveyjs: {
    name: 'SurveyJS',
    path: (form) => `?form=${form}`,
    field: (id) => `[data-name="${id}"] input, [data-name="${id}"] textarea`,
    choice: (id, yes) => `[data-name="${id}"] input[type=radio][value="${yes}"]`,
  },
  formio: {
    name: 'Form.io',
    path: (form) => `?form=${form}`,
    field: (id) => `[name="data[${id}]"]`,
    choice: (id, yes) => `input[name^="data[${id}]"][value="${yes ? 'yes' : 'no'}"]`,
  },
  static: {
    name: 'Static HTML',
    path: (form) => `forms/${form}.html`,
    field: (id) => `#${id}`,
    choice: (id, yes) => `input[name="${id}"][value="${yes ? 'yes' : 'no'}"]`,
    sizes: STATIC_SIZES,
  },
};

/** Whether `runtime` is measured at `size` (the static page exists at 20 fields only). */
const measured = (runtime, size) => !RUNTIMES[runtime].sizes || RUNTIMES[runtime].sizes.includes(size);

/** The ratio columns `a/b`, each shown when both runtimes are in the run: below 1, `a` is smaller or faster. */
const RATIOS = [
  ['blankett', 'surveyjs'],
  ['blankett', 'formio'],
  ['blankett-receiver', 'surveyjs'],
  ['blankett-receiver', 'formio'],
  ['blankett-receiver', 'static'],
];

const LAUNCH_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

function parseArgs(argv) {
  const opts = { runs: 5, sizes: SIZES, only: Object.keys(RUNTIMES), smoke: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === '--runs') opts.runs = Number(value());
    else if (a === '--sizes') opts.sizes = value().split(',').map(Number);
    else if (a === '--only') opts.only = value().split(',');
    else if (a === '--smoke') opts.smoke = true;
    else usage(`unknown argument ${a}`);
  }
  if (opts.smoke) Object.assign(opts, { runs: 1, sizes: [20] });
  if (!(opts.runs >= 1) || opts.sizes.some((s) => !SIZES.includes(s)) || opts.only.some((r) => !RUNTIMES[r])) {
    usage('bad --runs, --sizes or --only');
  }
  return opts;
}

function usage(message) {
  console.error(`${message}\nusage: node run.mjs [--runs N] [--sizes ${SIZES.join(',')}] [--only ${Object.keys(RUNTIMES).join(',')}] [--smoke]`);
  process.exit(2);
}

// Runs in the page before any of its scripts: records when the first field is visible, when
// it takes input, and offers the key-latency and show/hide probes.
function probe({ firstField, startButton }) {
  const b = (window.__bench = { visibleAt: null, inputAt: null, wasmMemory: null, keys: [], toggle: null });
  // A first visit: no service worker controls the page as it starts.
  b.controlledAtStart = !!navigator.serviceWorker?.controller;
  addEventListener('TrunkApplicationStarted', (e) => { b.wasmMemory = e.detail?.wasm?.memory ?? null; });
  const shown = (el) => !!el && el.isConnected && el.checkVisibility() && el.getBoundingClientRect().height > 0;
  b.shown = (sel) => shown(document.querySelector(sel));
  // Just after the next frame: a task posted from requestAnimationFrame runs after that frame's paint.
  const afterFrame = (cb) => requestAnimationFrame(() => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => cb(performance.now());
    ch.port2.postMessage(0);
  });
  let started = false;
  const tick = () => {
    if (shown(document.querySelector(firstField))) {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => { b.visibleAt = performance.now(); window.__benchEvent?.('visible'); };
      ch.port2.postMessage(0);
      return;
    }
    // A start page before the first step (Blankett without `start=1`): press its button.
    const start = startButton && !started && [...document.querySelectorAll('button')].find((el) => el.textContent.trim() === startButton);
    if (start) {
      started = true;
      window.__benchEvent?.('start');
      start.click();
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  addEventListener('input', (e) => {
    if (b.inputAt === null && e.target.matches?.(firstField)) b.inputAt = performance.now();
  }, true);
  b.keyProbe = false;
  let waiters = [];
  addEventListener('keydown', (e) => {
    if (!b.keyProbe) return;
    const t0 = e.timeStamp;
    afterFrame((t1) => {
      b.keys.push(t1 - t0);
      waiters = waiters.filter(([n, resolve]) => (b.keys.length >= n ? resolve() : true));
    });
  }, true);
  b.keysAtLeast = (n) => new Promise((resolve) => (b.keys.length >= n ? resolve() : waiters.push([n, resolve])));
  // Arms a probe for the next click: resolves with the time from the click to the frame in
  // which `sel` is shown (want = true) or gone (want = false).
  b.armToggle = (sel, want) => {
    b.toggle = new Promise((resolve) => {
      addEventListener('click', (e) => {
        const t0 = e.timeStamp;
        const frame = () => {
          if (shown(document.querySelector(sel)) === want) afterFrame((t1) => resolve(t1 - t0));
          else requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
      }, { capture: true, once: true });
    });
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `promise`, or a rejection with `message` after `ms`; the timer never outlives it. */
async function within(promise, ms, message) {
  let timer;
  try {
    return await Promise.race([promise, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(message)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

/** One page load of one runtime and size in a fresh browser; returns every figure. */
async function measure(runtime, size, server) {
  const rt = RUNTIMES[runtime];
  const form = `bench${size}`;
  const first = rt.field('q0');
  const dependent = rt.field('q9');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: LAUNCH_ARGS });
  const out = { errors: [], external: [], notes: [], mismatches: [] };
  const net = new Map();
  const swDone = [];
  try {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'sv-SE' });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    page.on('pageerror', (e) => out.errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') out.errors.push(m.text()); });
    page.on('request', (r) => { if (!r.url().startsWith('http://127.0.0.1') && !r.url().startsWith('data:')) out.external.push(r.url()); });
    let visibleResolve;
    const visible = new Promise((r) => { visibleResolve = r; });
    await page.exposeFunction('__benchEvent', (name) => {
      if (name === 'visible') visibleResolve();
      if (name === 'start') out.notes.push('the app ignored start=1: its start button was pressed, and that time is included');
    });
    // Only the page's own world and cheap evaluations from here: Playwright's selector engine
    // would be compiled inside the page while it loads.
    await page.addInitScript(probe, { firstField: first, startButton: rt.startButton ?? null });

    // The service worker's requests (Blankett registers one once it has started): not the
    // page's, so not in its bytes; listed in a note.
    context.on('requestfinished', (r) => {
      if (r.serviceWorker()) swDone.push(r.sizes().then((z) => ({ path: new URL(r.url()).pathname, bytes: z.responseBodySize }), () => null));
    });

    const cdp = await context.newCDPSession(page);
    // The page's own requests, by CDP request id: what Chromium received for each.
    cdp.on('Network.requestWillBeSent', (e) => {
      if (/^https?:/.test(e.request.url)) net.set(e.requestId, { path: new URL(e.request.url).pathname, done: false, raw: 0 });
    });
    cdp.on('Network.responseReceived', (e) => {
      const r = net.get(e.requestId);
      if (!r) return;
      const headers = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
      Object.assign(r, {
        status: e.response.status,
        mime: e.response.mimeType,
        headerBytes: e.response.encodedDataLength,
        encoding: headers['content-encoding'] ?? 'identity',
        contentLength: headers['content-length'] === undefined ? null : Number(headers['content-length']),
        cacheControl: headers['cache-control'] ?? '',
        reused: !!(e.response.fromDiskCache || e.response.fromServiceWorker || e.response.fromPrefetchCache),
      });
    });
    cdp.on('Network.dataReceived', (e) => { const r = net.get(e.requestId); if (r) r.raw += e.dataLength; });
    cdp.on('Network.loadingFinished', (e) => {
      const r = net.get(e.requestId);
      if (r) Object.assign(r, { done: true, sent: e.encodedDataLength - (r.headerBytes ?? 0) });
    });
    cdp.on('Network.loadingFailed', (e) => { const r = net.get(e.requestId); if (r) Object.assign(r, { done: true, failed: e.errorText }); });
    await cdp.send('Performance.enable');
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', NETWORK);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_THROTTLE });

    if (server.log) server.log.length = 0;
    await page.goto(new URL(rt.path(form), server.url).href, { waitUntil: 'commit' });
    await within(visible, TIMEOUT, `${first} never became visible`);
    out.visible = await page.evaluate(() => window.__bench.visibleAt);
    out.controlledAtStart = await page.evaluate(() => window.__bench.controlledAtStart);

    // First field accepts input: a key pressed as soon as it is visible changes its value.
    for (let attempt = 0; ; attempt++) {
      await page.evaluate((sel) => {
        window.__bench.inputAt = null;
        document.querySelector(sel).focus();
      }, first);
      await page.keyboard.press('x');
      const ok = await page.evaluate((sel) => new Promise((resolve) => requestAnimationFrame(() => {
        const el = document.querySelector(sel);
        resolve(window.__bench.inputAt !== null && el?.value?.endsWith('x'));
      })), first);
      if (ok) break;
      if (attempt > 100) throw new Error(`${first} never accepted input`);
      await sleep(20);
    }
    out.interactive = await page.evaluate(() => window.__bench.inputAt);

    // Rendered and quiet: no new request for a second, and every request finished.
    const quietBy = Date.now() + TIMEOUT;
    for (let seen = -1; seen !== net.size || [...net.values()].some((r) => !r.done);) {
      if (Date.now() > quietBy) throw new Error(`the page never went quiet: ${[...net.values()].filter((r) => !r.done).map((r) => r.path).join(', ')}`);
      seen = net.size;
      await sleep(1000);
    }
    const requests = [...net.values()];
    out.reused = requests.filter((r) => r.reused).map((r) => r.path);
    const sent = requests.filter((r) => r.status === 200 && !r.reused && !r.failed);
    const runtimeFiles = sent.filter((r) => /javascript|css|wasm/.test(r.mime ?? ''));
    out.files = runtimeFiles.map((r) => ({ path: r.path, br: r.sent, raw: r.raw, encoding: r.encoding, cacheControl: r.cacheControl }));
    out.bytesBr = runtimeFiles.reduce((a, r) => a + r.sent, 0);
    out.bytesRaw = runtimeFiles.reduce((a, r) => a + r.raw, 0);
    const definition = sent.filter((r) => r.path.startsWith('/forms/'));
    out.definitionBr = definition.reduce((a, r) => a + r.sent, 0);
    out.definitionRaw = definition.reduce((a, r) => a + r.raw, 0);
    const missing = requests.filter((r) => r.status !== 200 || r.failed).map((r) => `${r.path} (${r.failed ?? r.status})`);
    if (missing.length) out.notes.push(`not loaded: ${missing.join(', ')}`);
    const notBrotli = runtimeFiles.filter((r) => r.encoding !== 'br').map((r) => `${r.path} (${r.encoding})`);
    if (notBrotli.length) out.notes.push(`sent without brotli: ${notBrotli.join(', ')}`);
    // The same bytes from the other side: the node server's log, or the receiver's Content-Length.
    const line = (path, br, raw) => `${path} ${br} B sent / ${raw} B`;
    if (server.log) {
      const browserSide = sent.map((r) => line(r.path, r.sent, r.raw)).sort();
      const serverSide = server.log.filter((l) => l.status === 200).map((l) => line(l.path, l.br, l.raw)).sort();
      if (browserSide.join('\n') !== serverSide.join('\n')) {
        out.mismatches.push(`the browser counted [${browserSide.join(', ')}], the server's log [${serverSide.join(', ')}]`);
      }
    } else {
      for (const r of sent) {
        if (r.contentLength !== null && r.contentLength !== r.sent) out.mismatches.push(`${r.path}: ${r.sent} B counted, Content-Length ${r.contentLength}`);
      }
    }

    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const metric = (name) => metrics.find((m) => m.name === name)?.value;
    out.jsHeap = metric('JSHeapUsedSize');
    out.domNodes = metric('Nodes');
    out.wasm = await page.evaluate(() => window.__bench.wasmMemory?.buffer.byteLength ?? 0);
    out.memory = out.jsHeap + out.wasm;

    // Input latency in the first field.
    await page.evaluate((sel) => document.querySelector(sel).focus(), first);
    await page.keyboard.press('End');
    await page.evaluate(() => { window.__bench.keyProbe = true; });
    for (let i = 0; i < KEY_PRESSES; i++) {
      await page.keyboard.press(String.fromCharCode(97 + (i % 26)));
      await within(page.evaluate((n) => window.__bench.keysAtLeast(n), i + 1), 30_000, 'a key press was not seen');
      await sleep(KEY_GAP_MS);
    }
    out.keys = await page.evaluate(() => { window.__bench.keyProbe = false; return window.__bench.keys; });

    // Show and hide the first dependent field with real clicks on the yes/no's labels.
    out.show = [];
    out.hide = [];
    for (let i = 0; i < TOGGLES; i++) {
      for (const yes of [true, false]) {
        const target = await page.evaluate((sel) => {
          const input = document.querySelector(sel);
          const el = input.labels?.[0] ?? input;
          el.scrollIntoView({ block: 'center' });
          const r = el.getBoundingClientRect();
          return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
        }, rt.choice('q7', yes));
        await sleep(300);
        await page.evaluate(([sel, want]) => window.__bench.armToggle(sel, want), [dependent, yes]);
        await page.mouse.click(target.x, target.y);
        const ms = await within(page.evaluate(() => window.__bench.toggle), 60_000, `${dependent} was not ${yes ? 'shown' : 'hidden'}`);
        (yes ? out.show : out.hide).push(ms);
        await sleep(300);
      }
    }
    if (!(await page.evaluate((sel) => window.__bench.shown(sel), first))) throw new Error('the first field disappeared');

    // The page's own floor: more key presses in the same field, with every `input` listener
    // of the runtime blocked (a capture listener on window stops the event), so what remains
    // is the browser's editing, style, layout and paint work for this page.
    await page.evaluate((sel) => {
      addEventListener('input', (e) => e.stopImmediatePropagation(), true);
      const el = document.querySelector(sel);
      el.scrollIntoView({ block: 'center' });
      el.focus();
    }, first);
    await page.keyboard.press('End');
    await sleep(300);
    const before = await page.evaluate(() => { window.__bench.keyProbe = true; return window.__bench.keys.length; });
    for (let i = 0; i < FLOOR_KEY_PRESSES; i++) {
      await page.keyboard.press(String.fromCharCode(97 + (i % 26)));
      await within(page.evaluate((n) => window.__bench.keysAtLeast(n), before + i + 1), 30_000, 'a key press was not seen');
      await sleep(KEY_GAP_MS);
    }
    out.keysFloor = await page.evaluate((n) => { window.__bench.keyProbe = false; return window.__bench.keys.slice(n); }, before);
    out.serviceWorker = (await within(Promise.all(swDone), 30_000, 'the service worker\'s requests did not finish')).filter(Boolean);
  } finally {
    await browser.close();
  }
  return out;
}

/** The floor for the input-latency rows: the same key presses in a bare `<input>` with no script. */
async function bareInputLatency() {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: LAUNCH_ARGS });
  try {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'sv-SE' });
    await context.addInitScript(probe, { firstField: '#a', startButton: null });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_THROTTLE });
    await page.goto(`data:text/html,${encodeURIComponent('<!DOCTYPE html><html lang="sv"><body><label for="a">A</label><input id="a"></body></html>')}`);
    await page.evaluate(() => { document.getElementById('a').focus(); window.__bench.keyProbe = true; });
    for (let i = 0; i < KEY_PRESSES; i++) {
      await page.keyboard.press(String.fromCharCode(97 + (i % 26)));
      await within(page.evaluate((n) => window.__bench.keysAtLeast(n), i + 1), 30_000, 'a key press was not seen');
      await sleep(KEY_GAP_MS);
    }
    return await page.evaluate(() => window.__bench.keys);
  } finally {
    await browser.close();
  }
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
}

function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] : NaN;
}

const fmt = (x, digits = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–');

/** The rows of the table: label, how to reduce the runs' values, and the unit's scale. */
const METRICS = [
  { label: 'Runtime (JS + CSS + WASM), brotli, KB', key: 'bytesBr', scale: 1e-3, digits: 1, spread: false },
  { label: 'Runtime, uncompressed, KB', key: 'bytesRaw', scale: 1e-3, digits: 1, spread: false },
  { label: 'Form definition, brotli, KB (not in the runtime; Static HTML: the page itself)', key: 'definitionBr', scale: 1e-3, digits: 1, spread: false },
  { label: 'First field visible, ms', key: 'visible' },
  { label: 'First field accepts input, ms', key: 'interactive' },
  { label: `Input latency, median of ${KEY_PRESSES} keys × runs, ms`, key: 'keys', flat: true, reduce: median, digits: 1, spread: false },
  { label: 'Input latency, p95, ms', key: 'keys', flat: true, reduce: (xs) => quantile(xs, 0.95), digits: 1, spread: false },
  { label: `Input latency with the runtime's input listeners blocked (the page's floor), median of ${FLOOR_KEY_PRESSES} keys × runs, ms`, key: 'keysFloor', flat: true, reduce: median, digits: 1, spread: false },
  { label: 'Show dependent after "yes", ms', key: 'show', flat: true, digits: 1 },
  { label: 'Hide dependent after "no", ms', key: 'hide', flat: true, digits: 1 },
  { label: 'JS heap after render (after GC), MB', key: 'jsHeap', scale: 1e-6, digits: 2 },
  { label: 'WASM memory, MB', key: 'wasm', scale: 1e-6, digits: 2, spread: false },
  { label: 'JS heap + WASM memory, MB', key: 'memory', scale: 1e-6, digits: 2 },
  { label: 'DOM nodes after render', key: 'domNodes', spread: false },
];

function cell(metric, runs) {
  const values = metric.flat ? runs.flatMap((r) => r[metric.key] ?? []) : runs.map((r) => r[metric.key]);
  const nums = values.filter(Number.isFinite).map((v) => v * (metric.scale ?? 1));
  if (!nums.length) return { text: '–', value: NaN };
  const value = (metric.reduce ?? median)(nums);
  const d = metric.digits ?? 0;
  const spread = metric.spread !== false && nums.length > 1 ? ` (${fmt(Math.min(...nums), d)}–${fmt(Math.max(...nums), d)})` : '';
  return { text: `${fmt(value, d)}${spread}`, value };
}

function table(results, opts) {
  const present = opts.only;
  const ratios = RATIOS.filter(([a, b]) => present.includes(a) && present.includes(b));
  const head = ['Metric', ...present.map((r) => RUNTIMES[r].name), ...ratios.map(([a, b]) => `${RUNTIMES[a].name}/${RUNTIMES[b].name}`)];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i ? '---:' : '---')).join('|')}|`];
  for (const size of opts.sizes) {
    const [steps, per] = layout(size);
    lines.push(`| **${fmt(size)} fields (${steps} step${steps > 1 ? 's' : ''} of ${per})** |${' |'.repeat(head.length - 1)}`);
    for (const metric of METRICS) {
      const cells = Object.fromEntries(present.map((r) => [r, cell(metric, results[r][size].runs)]));
      if (metric.key === 'wasm' && !present.some((r) => r.startsWith('blankett'))) continue;
      const row = [metric.label, ...present.map((r) => (results[r][size].failed.length && !results[r][size].runs.length ? 'failed' : cells[r].text))];
      for (const [a, b] of ratios) {
        const ratio = cells[a].value / cells[b].value;
        row.push(Number.isFinite(ratio) ? ratio.toFixed(2) : '–');
      }
      lines.push(`| ${row.join(' | ')} |`);
    }
  }
  return lines.join('\n');
}

function versions() {
  const pkg = (name) => JSON.parse(readFileSync(join(HERE, 'node_modules', name, 'package.json'), 'utf8')).version;
  let rev = 'unknown';
  try {
    rev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    if (execFileSync('git', ['status', '--porcelain', '--', 'src', 'crates', 'style', 'index.html', 'Cargo.toml', 'Cargo.lock'], { cwd: ROOT, encoding: 'utf8' }).trim()) rev += ' + uncommitted changes';
  } catch { /* not a git checkout */ }
  return {
    blankett: rev,
    'blankett-receiver': `${rev}, served by ${receiverBinary().slice(ROOT.length).replace(/^\/+/, '')}`,
    surveyjs: `survey-core ${pkg('survey-core')} + survey-js-ui ${pkg('survey-js-ui')}`,
    formio: `@formio/js ${pkg('@formio/js')}`,
    static: 'bench/generate.mjs',
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  writeAll(opts.sizes);
  checkBlankett(opts.sizes);
  const started = Date.now();
  const loadBefore = loadavg()[0];
  const servers = await startServers(opts.only);
  const results = Object.fromEntries(opts.only.map((r) => [r, Object.fromEntries(opts.sizes.map((s) => [s, { runs: [], failed: [] }]))]));
  const probeBrowser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: LAUNCH_ARGS });
  const chromiumVersion = probeBrowser.version();
  await probeBrowser.close();
  try {
    // Runtimes interleaved within each run, so that any drift of the machine hits all of them.
    for (let run = 1; run <= opts.runs; run++) {
      for (const size of opts.sizes) {
        for (const runtime of opts.only) {
          if (!measured(runtime, size)) continue;
          const t = Date.now();
          try {
            const r = await measure(runtime, size, servers[runtime]);
            results[runtime][size].runs.push(r);
            console.error(`run ${run}/${opts.runs} ${RUNTIMES[runtime].name} ${size}: visible ${fmt(r.visible)} ms, input ${fmt(r.interactive)} ms, `
              + `key median ${fmt(median(r.keys), 1)} ms, show ${fmt(median(r.show), 1)} ms, ${fmt(r.bytesBr / 1000, 1)} KB br (${((Date.now() - t) / 1000).toFixed(0)} s)`);
            for (const e of new Set(r.errors)) console.error(`  page error: ${e}`);
            for (const n of new Set(r.notes)) console.error(`  note: ${n}`);
            for (const m of r.mismatches) console.error(`  bytes disagree: ${m}`);
          } catch (e) {
            results[runtime][size].failed.push(e.message);
            console.error(`run ${run}/${opts.runs} ${RUNTIMES[runtime].name} ${size}: FAILED: ${e.message}`);
          }
        }
      }
    }
  } finally {
    await servers.close();
  }
  const minutes = ((Date.now() - started) / 60000).toFixed(1);
  const md = table(results, opts);
  console.log(`\n${md}\n`);

  if (opts.smoke) {
    const problems = [];
    for (const runtime of opts.only) {
      for (const size of opts.sizes.filter((s) => measured(runtime, s))) {
        const name = `${RUNTIMES[runtime].name} ${size}`;
        const { runs, failed } = results[runtime][size];
        for (const f of failed) problems.push(`${name}: ${f}`);
        if (!runs.length && !failed.length) problems.push(`${name}: not measured`);
        for (const r of runs) {
          for (const m of METRICS) {
            const v = r[m.key];
            const ok = Array.isArray(v) ? v.length > 0 && v.every(Number.isFinite) : Number.isFinite(v);
            if (!ok) problems.push(`${name}: no number for "${m.label}"`);
          }
          // The static page has no runtime file; its bytes are the page's (the definition row).
          if (runtime === 'static') {
            if (!(r.definitionBr > 0) || r.bytesBr !== 0) problems.push(`${name}: the page's bytes were not counted, or it loaded a JS, CSS or WASM file`);
          } else if (!(r.bytesBr > 0)) {
            problems.push(`${name}: no runtime bytes`);
          }
          for (const m of r.mismatches) problems.push(`${name}: bytes disagree: ${m}`);
          if (r.controlledAtStart) problems.push(`${name}: a service worker controlled the page as it started (not a first visit)`);
          if (r.reused.length) problems.push(`${name}: responses from a cache or service worker (not a first visit): ${r.reused.join(', ')}`);
        }
      }
    }
    if (problems.length) {
      console.error(`bench smoke test failed:\n  ${problems.join('\n  ')}`);
      process.exit(1);
    }
    console.error(`bench smoke test: all ${opts.only.length} runtimes rendered the form on a first visit and produced every figure, `
      + `and the bytes counted in the browser agree with the servers' (${minutes} min)`);
    return;
  }

  const v = versions();
  const bare = await bareInputLatency();
  const notes = [`- For scale: the same ${KEY_PRESSES} key presses in a bare \`<input>\` on an empty page (no script, same throttling): median ${fmt(median(bare), 1)} ms, p95 ${fmt(quantile(bare, 0.95), 1)} ms.`];
  for (const runtime of opts.only) {
    for (const size of opts.sizes.filter((s) => measured(runtime, s))) {
      const { runs, failed } = results[runtime][size];
      const errors = new Set(runs.flatMap((r) => r.errors));
      const external = new Set(runs.flatMap((r) => r.external));
      const other = new Set(runs.flatMap((r) => r.notes));
      const name = `${RUNTIMES[runtime].name}, ${size} fields`;
      if (failed.length) notes.push(`- ${name}: ${failed.length} of ${opts.runs} runs failed (${[...new Set(failed)].join('; ')})`);
      if (errors.size) notes.push(`- ${name}: page errors: ${[...errors].slice(0, 3).join('; ')}`);
      if (external.size) notes.push(`- ${name}: requests off loopback (they fail; no internet): ${[...external].slice(0, 3).join(', ')}`);
      for (const n of other) notes.push(`- ${name}: ${n}`);
      const disagree = new Set(runs.flatMap((r) => r.mismatches));
      if (disagree.size) notes.push(`- ${name}: the bytes counted in the browser and by the server disagree: ${[...disagree].slice(0, 3).join('; ')}`);
      const notFirst = runs.filter((r) => r.controlledAtStart || r.reused.length).length;
      if (notFirst) notes.push(`- ${name}: ${notFirst} runs were not first visits (a service worker or cache answered)`);
      // The service worker's own requests (its script left out): after the app started, not the page's.
      const sw = runs.map((r) => r.serviceWorker.filter((q) => q.path !== '/sw.js'));
      if (sw.some((list) => list.length)) {
        const paths = [...new Set(sw.flat().map((q) => `\`${q.path}\``))];
        const bytes = median(sw.map((list) => list.reduce((a, q) => a + Math.max(0, q.bytes), 0)));
        notes.push(`- ${name}: after the app started, its service worker's install made ${fmt(median(sw.map((list) => list.length)))} requests `
          + `(${paths.join(', ')}), ${fmt(bytes / 1000, 1)} KB of response bodies as Playwright counts them; not in the page's bytes above `
          + '(the files the page had just loaded are revalidated and come back 304, without a body; the worker is not network-throttled)');
      }
    }
  }
  const files = opts.only.map((runtime) => {
    const run = opts.sizes.map((s) => results[runtime][s].runs[0]).find(Boolean);
    const encoding = (f) => (f.encoding === 'br' ? 'brotli' : f.encoding);
    const cache = (f) => (runtime === 'blankett-receiver' && f.cacheControl ? ` (\`${f.cacheControl}\`)` : '');
    let list = run ? run.files.map((f) => `\`${f.path}\` ${fmt(f.br / 1000, 1)} KB ${encoding(f)} / ${fmt(f.raw / 1000, 1)} KB${cache(f)}`).join(', ') : 'no successful run';
    if (run && runtime === 'static') list = `no JS, CSS or WASM file; the page ${fmt(run.definitionBr / 1000, 1)} KB brotli / ${fmt(run.definitionRaw / 1000, 1)} KB`;
    return `- ${RUNTIMES[runtime].name} (${v[runtime]}): ${list}`;
  });
  const doc = `# Blankett vs SurveyJS vs Form.io (and as the receiver serves it, and a static page)

Written by \`node bench/run.mjs\` (\`cargo xtask bench\`) on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.
Chromium ${chromiumVersion}, headless; ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}); Node ${process.version}.
${opts.runs} run${opts.runs > 1 ? 's' : ''} per runtime and size, each in a fresh browser, runtimes interleaved; ${minutes} minutes in all
(1-minute load average before the run: ${loadBefore.toFixed(2)}; other work on the machine would skew every column).
CPU throttled ${CPU_THROTTLE}× (\`Emulation.setCPUThrottlingRate\`); network ${NETWORK.latency} ms latency,
${NETWORK.downloadThroughput * 8 / 1000} kbit/s down and up, cache disabled (\`Network.emulateNetworkConditions\`);
viewport 390×844. Every file is served from loopback brotli-compressed (quality 11) with \`Content-Encoding: br\`
(bench/serve.mjs), except in the column Blankett (receiver), which Blankett's own receiver serves.
Bytes are counted in the browser (CDP Network events), and checked against the servers.

Cells are the median over runs with (min–max); input latency is the median and p95 over all
key presses of all runs. KB = 1,000 bytes, MB = 1,000,000 bytes. A ratio below 1 means
Blankett is smaller or faster. "–": not measured (the static page is made at 20 fields only),
or a ratio with a zero. How each figure is taken: the comment at the top of
\`bench/run.mjs\`; the forms: \`bench/generate.mjs\`.

Configuration, chosen so that nothing favours Blankett:
- Blankett: the release build in \`dist/\` as \`cargo xtask build\` makes it, opened at
  \`/?form=<id>&start=1\` (straight to the first step); its own CSS. Its service worker is one
  that does nothing, so that every run is a first visit.
- Blankett (receiver): the same \`dist/\` and definitions served by \`blankett-server serve\`
  (a new temporary database, loopback): the build's own \`.br\` files, the receiver's cache
  headers and Content-Security-Policy, the definition compressed by the receiver as it sends it,
  and the app's real service worker (each run is in a new browser profile, so none is installed
  when the page starts; the harness checks that).
- SurveyJS: \`survey.core.min.js\`, \`survey-js-ui.min.js\` and the default theme as
  \`survey-core.fontless.min.css\` (\`survey-core.min.css\` is the same theme but loads Open Sans from
  Google Fonts); \`new Survey.Model(json)\`, \`survey.render(el)\`; question animations off (they
  delay show/hide by a transition). Its default \`textUpdateMode: "onBlur"\` means a key press
  does no survey work. Interface strings in English (no localisation file loaded).
- Form.io: \`formio.form.min.js\` and \`formio.form.min.css\`, \`Formio.createForm(el, json)\`;
  without the Bootstrap and Bootstrap Icons stylesheets its README adds from a CDN (so its
  bytes and CSS work are a lower bound). Its date component fetches flatpickr from
  cdn.form.io at run time, which is not on npm, so dates are text fields with a pattern there.
- Every page starts fetching its definition (same origin) in its head, before its runtime's
  files arrive, and hands it over once they ran: Blankett's own index.html does this, and the
  peers' pages do the same.
- Static HTML (20 fields only): the same fields, labels, input types, options, required flags
  and "*" markers as plain HTML (\`bench/generate.mjs\`, \`staticPage\`), a few lines of inline
  CSS, and an inline script of a few lines that shows the dependent field on "yes" and hides
  (and disables) it on "no". No runtime: its runtime bytes are 0 and its definition row is the
  page itself. What no runtime can beat on this machine and network.

${md}

Files per page load (JS, CSS, WASM):
${files.join('\n')}

Notes:
${notes.join('\n')}
`;
  const dir = join(HERE, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.md'), doc);
  console.error(`wrote ${join(dir, 'latest.md')} (${minutes} min)`);
  if (opts.only.some((r) => opts.sizes.some((s) => measured(r, s) && !results[r][s].runs.length))) process.exit(1);
}

await main();
