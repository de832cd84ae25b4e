// Browser figure for `cargo xtask bench`: time from one change to the next frame on a
// 1,000-field form with a condition on every tenth field (all conditions and computed values
// of the form are evaluated on each change; only the current step is rendered).
//
//   node conditions.mjs generate <forms-dir>   writes bench1000.json
//   node conditions.mjs measure <base-url>      prints median and p95 over 60 changes
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { launch } from '../e2e/lib.mjs';

const [mode, arg] = process.argv.slice(2);

function form(n) {
  const steps = [];
  for (let s = 0; s * 20 < n; s++) {
    const fields = [];
    for (let i = s * 20; i < Math.min(n, (s + 1) * 20); i++) {
      const f = { id: `f${i}`, label: `Fält ${i}` };
      if (i % 10 === 9) Object.assign(f, { type: 'text', visible_if: { '!!': { var: `f${i - 5}` } } });
      else if (i % 5 === 1) Object.assign(f, { type: 'integer', min: 0, max: 100 });
      else Object.assign(f, { type: 'text', max_length: 200 });
      fields.push(f);
    }
    steps.push({ id: `s${s}`, title: `Steg ${s + 1}`, fields });
  }
  return {
    blankett: '1', id: 'bench1000', version: '1', title: 'Bench 1000',
    organisation: { name: 'Bench', contact: { email: 'bench@example.se' } },
    privacy: { controller: 'X', purpose: 'X', legal_basis: 'X', retention: 'X', recipients: 'X', rights_url: 'https://example.se' },
    submit: { url: '/api/submissions' },
    steps,
  };
}

if (mode === 'generate') {
  writeFileSync(join(arg, 'bench1000.json'), JSON.stringify(form(1000)));
} else if (mode === 'measure') {
  const browser = await launch();
  const page = await (await browser.newContext()).newPage();
  await page.goto(new URL('?form=bench1000&lang=sv', arg).href);
  await page.getByRole('button', { name: 'Börja fylla i' }).click();
  await page.locator('#f-f4').waitFor();
  const samples = await page.evaluate(async () => {
    const input = document.getElementById('f-f4');
    const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
    const task = () => new Promise((r) => setTimeout(r, 0));
    const updated = [];
    const painted = [];
    for (let i = 0; i < 60; i++) {
      await frame();
      const t0 = performance.now();
      input.value = i % 2 ? '' : 'x';
      input.dispatchEvent(new Event('input', { bubbles: true }));
      await task(); // the reactive updates run in microtasks before this
      updated.push(performance.now() - t0);
      await frame();
      painted.push(performance.now() - t0);
    }
    return { updated, painted };
  });
  const shown = await page.locator('#f-f9').count(); // the last change emptied f4, so f9 is hidden
  await browser.close();
  const stats = (xs) => {
    xs.sort((a, b) => a - b);
    const at = (q) => xs[Math.round((xs.length - 1) * q)].toFixed(1);
    return `median ${at(0.5)} / p95 ${at(0.95)}`;
  };
  console.log('\nBrowser (headless Chromium, release wasm, no throttling): one change on a 1,000-field form, ms over 60 changes');
  console.log(`  evaluated and DOM updated: ${stats(samples.updated)}`);
  console.log(`  to the next frame:         ${stats(samples.painted)}  (frame-quantized)`);
  if (shown) throw new Error('the dependent field should be hidden after the last change');
} else {
  console.error('usage: node conditions.mjs generate <forms-dir> | measure <base-url>');
  process.exit(2);
}
