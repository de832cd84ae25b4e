// Browser figure for `cargo xtask bench` (issue 18): attaching a 10 MB file on the phone
// profile (390×844, CPU 4× slower). The app records `blankett-attach`, from the file chooser's
// change to the file listed: the first bytes read and typed, a photo made smaller, the bytes
// hashed (WebCrypto) and kept in IndexedDB. The main thread's share is read from Long Tasks
// (tasks over 50 ms) inside that span: their sum is the time a tap or a key would have waited,
// and the longest one the worst single wait.
//
//   node attach.mjs generate <forms-dir>   writes benchattach.json
//   node attach.mjs measure <base-url>     prints median / max over RUNS attachments of each kind
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { launch, SETTLE_MS } from '../e2e/lib.mjs';

const [mode, arg] = process.argv.slice(2);
const RUNS = 5;
const MB = 1_000_000;

function form() {
  return {
    blankett: '1', id: 'benchattach', version: '1', title: 'Bench attach',
    organisation: { name: 'Bench', contact: { email: 'bench@example.se' } },
    privacy: { controller: 'X', purpose: 'X', legal_basis: 'X', retention: 'X', recipients: 'X', rights_url: 'https://example.se' },
    submit: { url: '/api/submissions' },
    steps: [{
      id: 's0', title: 'Bilagor', fields: [
        { id: 'dokument', type: 'file', label: 'Dokument', accept: ['application/pdf'], max_file_size: 20 * MB },
        { id: 'foto', type: 'file', label: 'Foto', accept: ['image/jpeg'], max_file_size: 20 * MB, downscale: { max_side: 2000, jpeg_quality: 85 } },
      ],
    }],
  };
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)].toFixed(0)} / max ${s.at(-1).toFixed(0)}`;
};

if (mode === 'generate') {
  writeFileSync(join(arg, 'benchattach.json'), JSON.stringify(form()));
} else if (mode === 'measure') {
  const browser = await launch();
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, serviceWorkers: 'block' });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  // A 10 MB PDF (random bytes after the header) and a ~10 MB photo from Chromium's encoder.
  const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(10 * MB - 9)]);
  await page.goto(new URL('?form=benchattach&lang=sv', arg).href);
  const photo = Buffer.from(await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 4032;
    c.height = 3024;
    const g = c.getContext('2d');
    const img = g.createImageData(c.width, c.height);
    for (let i = 0; i < img.data.length; i++) img.data[i] = (i & 3) === 3 ? 255 : Math.floor(Math.random() * 256);
    g.putImageData(img, 0, 0);
    return c.toDataURL('image/jpeg', 0.8).split(',')[1];
  }), 'base64');
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  const results = { dokument: [], foto: [] };
  for (let run = 0; run < RUNS; run++) {
    for (const [field, file] of [['dokument', { name: `d${run}.pdf`, mimeType: 'application/pdf', buffer: pdf }], ['foto', { name: `f${run}.jpg`, mimeType: 'image/jpeg', buffer: photo }]]) {
      await page.goto(new URL('?form=benchattach&lang=sv', arg).href);
      await page.getByRole('button', { name: 'Börja fylla i' }).click();
      const input = page.locator(`#f-${field}`);
      await input.waitFor({ timeout: SETTLE_MS });
      await page.evaluate(() => {
        window.__longTasks = [];
        new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries())).observe({ type: 'longtask' });
      });
      await input.setInputFiles(file);
      await page.locator('.file-list__item').filter({ hasText: file.name }).waitFor({ timeout: 120_000 });
      const measured = await page.evaluate(() => {
        const m = performance.getEntriesByName('blankett-attach', 'measure').at(-1);
        if (!m) return null;
        const inside = window.__longTasks.filter((t) => t.startTime >= m.startTime && t.startTime < m.startTime + m.duration);
        return { wall: m.duration, blocked: inside.reduce((a, t) => a + t.duration, 0), longest: Math.max(0, ...inside.map((t) => t.duration)) };
      });
      if (measured === null) throw new Error(`run ${run}: the app recorded no blankett-attach`);
      results[field].push(measured);
    }
  }
  await browser.close();
  console.log(`\nAttaching a file on the phone profile (headless Chromium, CPU 4× slower, release wasm), ms over ${RUNS} runs each:`);
  for (const [what, rows] of [[`a ${(pdf.length / MB).toFixed(1)} MB PDF (typed, hashed, kept)`, results.dokument], [`a ${(photo.length / MB).toFixed(1)} MB photo (made 2000 px, hashed, kept)`, results.foto]]) {
    console.log(`  ${what.padEnd(44)} chooser to listed ${stats(rows.map((r) => r.wall))}   main thread blocked ${stats(rows.map((r) => r.blocked))}   longest task ${stats(rows.map((r) => r.longest))}`);
  }
}
