// Browser figure for `cargo xtask bench`: from navigation to the last field of one long step
// accepting input, for 125, 250 and 500 text questions on a single step (500 is the most the
// checker allows; it advises at most 25). Linear growth is the target: Chromium files each
// input inserted into a <form> one at a time, so the step's fields are built outside the form
// and put in at once (src/form/pages.rs), which took 4,000 fields from 6 s to 1.1 s here.
//
//   node long-step.mjs generate <forms-dir>   writes long125.json, long250.json, long500.json
//   node long-step.mjs measure <base-url>     prints the median of 5 first visits of each
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { launch } from '../e2e/lib.mjs';

const [mode, arg] = process.argv.slice(2);
const SIZES = [125, 250, 500];
const RUNS = 5;

function form(n) {
  return {
    blankett: '1', id: `long${n}`, version: '1', title: `Long step ${n}`,
    organisation: { name: 'Bench', contact: { email: 'bench@example.se' } },
    privacy: { controller: 'X', purpose: 'X', legal_basis: 'X', retention: 'X', recipients: 'X', rights_url: 'https://example.se' },
    submit: { url: '/api/submissions' },
    steps: [{ id: 's', title: 'Allt', fields: Array.from({ length: n }, (_, i) => ({ id: `f${i}`, type: 'text', label: `Fält ${i}` })) }],
  };
}

if (mode === 'generate') {
  for (const n of SIZES) writeFileSync(join(arg, `long${n}.json`), JSON.stringify(form(n)));
} else if (mode === 'measure') {
  const browser = await launch();
  const rows = [];
  for (const n of SIZES) {
    const times = [];
    for (let run = 0; run < RUNS; run++) {
      const context = await browser.newContext({ serviceWorkers: 'block' });
      const page = await context.newPage();
      await page.goto(new URL(`?form=long${n}&start=1&lang=sv`, arg).href);
      await page.locator(`#f-f${n - 1}`).waitFor({ timeout: 60_000 });
      times.push(await page.evaluate(() => performance.now()));
      await context.close();
    }
    times.sort((a, b) => a - b);
    rows.push([n, times[Math.floor(RUNS / 2)]]);
  }
  await browser.close();
  console.log(`\nOne long step in headless Chromium (release build, loopback, no throttling; median of ${RUNS} first visits)`);
  for (const [n, ms] of rows) console.log(`  ${String(n).padStart(4)} questions: ${ms.toFixed(0)} ms to the last field, ${(ms / n).toFixed(2)} ms a question`);
}
