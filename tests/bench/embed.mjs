// Browser figure for `cargo xtask bench`: bytes and time to the first field accepting input for
// a form embedded on the demo host page (public/demo/, `<blankett-form start>`), beside the same
// form on the app's own page (`?form=felanmalan&start=1`). Each run is a first visit: a new
// browser context, nothing cached, no service worker.
//
// "Accepting input": the first step's first control is in the page, enabled and can take focus.
// Bytes: what crossed the network for the page and everything it loaded (transfer sizes from
// Resource Timing, same origin).
//
//   node embed.mjs measure <base-url>   prints median and p95 over 10 visits of each
import { launch } from '../e2e/lib.mjs';

const [mode, base] = process.argv.slice(2);
const RUNS = 10;

/** Installed before the page's scripts: notes when the first control of a form can take input. */
function watchFirstField() {
  window.__firstField = null;
  const find = () => {
    const roots = [document, ...[...document.querySelectorAll('blankett-form')].map((e) => e.shadowRoot).filter(Boolean)];
    for (const root of roots) {
      const el = root.querySelector('#step-heading') && root.querySelector('.field input, .field select, .field textarea');
      if (el && !el.disabled && el.getClientRects().length > 0) return el;
    }
    return null;
  };
  const check = () => {
    if (window.__firstField !== null) return;
    const el = find();
    if (el) {
      el.focus();
      const root = el.getRootNode();
      if (root.activeElement === el) {
        window.__firstField = performance.now();
        return;
      }
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
}

function percentiles(samples, digits = 0) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q) => s[Math.round((s.length - 1) * q)];
  return `median ${at(0.5).toFixed(digits)} / p95 ${at(0.95).toFixed(digits)}`;
}

async function visit(browser, url) {
  const context = await browser.newContext({ serviceWorkers: 'block', viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.addInitScript(watchFirstField);
  await page.goto(url);
  await page.waitForFunction(() => window.__firstField !== null, null, { timeout: 60_000 });
  const result = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const resources = performance.getEntriesByType('resource');
    const bytes = (nav?.transferSize ?? 0) + resources.reduce((n, r) => n + (r.transferSize ?? 0), 0);
    return { ms: window.__firstField, bytes, requests: resources.length + 1 };
  });
  await context.close();
  return result;
}

if (mode === 'measure') {
  const browser = await launch();
  const pages = [
    ['own page (?form=felanmalan&start=1)', new URL('?form=felanmalan&start=1&lang=sv', base).href],
    ['embedded on the demo host page', new URL('demo/', base).href],
  ];
  const results = pages.map(() => []);
  // Alternate the two, so a busy moment slows both alike.
  for (let run = 0; run < RUNS; run++) {
    for (const [i, [, url]] of pages.entries()) results[i].push(await visit(browser, url));
  }
  await browser.close();
  console.log(`\nFirst field accepting input, first visit in headless Chromium (release build, loopback, no throttling; ${RUNS} visits each)`);
  for (const [i, [name]] of pages.entries()) {
    const r = results[i];
    console.log(`  ${name.padEnd(38)} ${percentiles(r.map((x) => x.ms))} ms   ${(r[0].bytes / 1024).toFixed(0)} KB in ${r[0].requests} requests`);
  }
  console.log('  (the demo page also loads a second embedded form and an iframe form, and its own page and CSS)');
}
