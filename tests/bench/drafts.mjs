// Browser figure for `cargo xtask bench`: the page's own work of one autosave and of one
// restore, for a draft with an answer in each of 1,000 fields (the form `conditions.mjs
// generate` writes). The app records both as User Timing measures (`blankett-autosave`: the
// draft made, written as JSON and handed to IndexedDB; `blankett-restore`: the draft opened
// on the form and put in place); committing to disk is the browser's work off the page.
//
//   node drafts.mjs measure <base-url>   prints median and p95 over 20 of each
import { launch } from '../e2e/lib.mjs';

const [mode, base] = process.argv.slice(2);
const RUNS = 20;

/** A draft of bench1000 (format 1) with every field answered, on its first step. */
function draft(now) {
  const answers = {};
  for (let i = 0; i < 1000; i++) answers[`f${i}`] = i % 5 === 1 ? String(i % 100) : `Svar ${i}`;
  return {
    blankett_draft: '1', draft_id: 'bench-draft', form_id: 'bench1000', form_version: '1', title: 'Bench 1000',
    created_at: now, changed_at: now, expires_at: now + 86_400_000, at: { step: 's0' }, progress: [1, 51], answers,
  };
}

function percentiles(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q) => s[Math.round((s.length - 1) * q)];
  return `median ${at(0.5).toFixed(2)} / p95 ${at(0.95).toFixed(2)}`;
}

if (mode === 'measure') {
  const browser = await launch();
  const page = await (await browser.newContext({ serviceWorkers: 'block' })).newPage();
  const url = new URL('?form=bench1000&lang=sv', base).href;
  await page.goto(url);
  await page.getByRole('button', { name: 'Börja fylla i' }).waitFor();
  // The app has opened its database by now (it looked for drafts); put the draft there.
  const hasStores = () => page.evaluate(() => new Promise((resolve) => {
    const open = indexedDB.open('blankett');
    open.onsuccess = () => { const ok = open.result.objectStoreNames.contains('drafts'); open.result.close(); resolve(ok); };
    open.onerror = () => resolve(false);
  }));
  while (!(await hasStores())) await page.waitForTimeout(100);
  await page.evaluate((d) => new Promise((resolve, reject) => {
    const open = indexedDB.open('blankett');
    open.onsuccess = () => {
      const tx = open.result.transaction('drafts', 'readwrite');
      tx.objectStore('drafts').put({ draft: JSON.stringify(d), source: '' }, d.draft_id);
      tx.oncomplete = () => { open.result.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
    };
  }), draft(Date.now()));

  const measure = (name) => page.evaluate((n) => performance.getEntriesByName(n, 'measure').at(-1)?.duration ?? null, name);
  const restores = [];
  const autosaves = [];
  for (let run = 0; run < RUNS; run++) {
    await page.goto(url);
    await page.getByRole('button', { name: 'Fortsätt' }).click();
    await page.locator('#f-f0').waitFor();
    await page.waitForFunction(() => performance.getEntriesByName('blankett-restore', 'measure').length > 0);
    restores.push(await measure('blankett-restore'));
    // One key press in a field, then its save: the measure of the page's part of it.
    const before = Number(await page.locator('#save-status').getAttribute('data-saved-at') ?? 0);
    await page.locator('#f-f0').press('End');
    await page.keyboard.type(String(run % 10));
    await page.waitForFunction((t) => Number(document.querySelector('#save-status')?.dataset.savedAt ?? 0) > t, before);
    autosaves.push(await measure('blankett-autosave'));
  }
  await browser.close();
  console.log('\nDrafts in headless Chromium (release wasm, no throttling): a draft with 1,000 answers, ms of the page\'s work over 20 runs');
  console.log(`  autosave (draft made, JSON, handed to IndexedDB): ${percentiles(autosaves)}`);
  console.log(`  restore (draft opened on the form, put in place):  ${percentiles(restores)}`);
}
