// Browser figure for `cargo xtask bench`: the page's own work between the citizen's Submit and
// the request leaving, for a form of 15 answers. The app records it as two User Timing measures:
// `blankett-enqueue` (the session builds the submission, the draft notes it, the outbox item is
// written to IndexedDB and committed) and `blankett-sign` (the device key fetched, the body's
// Content-Digest, the signature base, the WebCrypto signature). The first submission on a
// device also makes its key; it is shown on its own line.
//
//   node sign.mjs generate <forms-dir>   writes benchsign.json
//   node sign.mjs measure <base-url>     prints the first submission and median / p95 of the rest
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { launch, nextButton, SETTLE_MS } from '../e2e/lib.mjs';

const [mode, arg] = process.argv.slice(2);
const RUNS = 15;
const FIELDS = 15;

function form() {
  const fields = [];
  for (let i = 0; i < FIELDS; i++) fields.push({ id: `b${i}`, type: i % 5 === 4 ? 'textarea' : 'text', label: `Fråga ${i + 1}`, required: true });
  return {
    blankett: '1', id: 'benchsign', version: '1', title: 'Bench sign',
    organisation: { name: 'Bench', contact: { email: 'bench@example.se' } },
    privacy: { controller: 'X', purpose: 'X', legal_basis: 'X', retention: 'X', recipients: 'X', rights_url: 'https://example.se' },
    submit: { url: '/api/submissions' },
    steps: [{ id: 's0', title: 'Frågor', fields }],
  };
}

function percentiles(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q) => s[Math.round((s.length - 1) * q)];
  return `median ${at(0.5).toFixed(2)} / p95 ${at(0.95).toFixed(2)}`;
}

if (mode === 'generate') {
  writeFileSync(join(arg, 'benchsign.json'), JSON.stringify(form()));
} else if (mode === 'measure') {
  const browser = await launch();
  const page = await (await browser.newContext({ serviceWorkers: 'block' })).newPage();
  const url = new URL('?form=benchsign&lang=sv', arg).href;
  const measure = (name) => page.evaluate((n) => performance.getEntriesByName(n, 'measure').at(-1)?.duration ?? null, name);
  const runs = [];
  for (let run = 0; run < RUNS; run++) {
    await page.goto(url);
    await page.getByRole('button', { name: 'Börja fylla i' }).click();
    for (let i = 0; i < FIELDS; i++) {
      // Answers differ per run: the same answers again would show the first receipt.
      await page.locator(`#f-b${i}`).fill(`Svar ${run}.${i} ${'x'.repeat(20 + i * 10)}`);
    }
    await nextButton(page).click();
    await page.getByRole('button', { name: 'Skicka in' }).click();
    await page.locator('#reference').waitFor({ timeout: SETTLE_MS });
    const enqueue = await measure('blankett-enqueue');
    const sign = await measure('blankett-sign');
    if (enqueue === null || sign === null) throw new Error(`run ${run}: the app recorded no measure`);
    runs.push({ enqueue, sign, total: enqueue + sign });
  }
  await browser.close();
  const [first, ...rest] = runs;
  const line = (what, key) => `  ${what.padEnd(47)}${percentiles(rest.map((r) => r[key]))}   (first on the device: ${first[key].toFixed(2)})`;
  console.log(`\nSign and enqueue in headless Chromium (release wasm, no throttling): ${FIELDS} answers, ms of the page's work over ${RUNS - 1} submissions with the device key kept; the first made the key`);
  console.log(line('enqueue (built, noted in the draft, on disk)', 'enqueue'));
  console.log(line('sign (key, Content-Digest, base, WebCrypto)', 'sign'));
  console.log(line('Submit to the request leaving', 'total'));
}
