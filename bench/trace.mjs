// Where a key press's time goes: types 20 keys into the first text field of one runtime's
// form (CPU throttled 4×, as in run.mjs), records a Chromium trace, and prints the mean time
// per key press of the 25 costliest trace events by name. Nested events are each counted
// (RunTask contains EventDispatch, which contains FunctionCall), so the lines do not add up.
//
//   node bench/trace.mjs [blankett|surveyjs|formio] [20|200|1000]
//
// Needs what run.mjs needs (dist/ and Chromium); for reading, not for the results table.
import { chromium } from 'playwright-core';

import { writeAll } from './generate.mjs';
import { startServers } from './serve.mjs';

const FIELD = { blankett: '#f-q0', surveyjs: '[data-name="q0"] input', formio: '[name="data[q0]"]' };
const KEYS = 20;

const runtime = process.argv[2] ?? 'blankett';
const size = Number(process.argv[3] ?? 1000);
if (!FIELD[runtime] || ![20, 200, 1000].includes(size)) {
  console.error('usage: node bench/trace.mjs [blankett|surveyjs|formio] [20|200|1000]');
  process.exit(2);
}
writeAll([size]);
const servers = await startServers([runtime]);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  await page.goto(`${servers[runtime].url}?form=bench${size}${runtime === 'blankett' ? '&start=1' : ''}`);
  await page.waitForSelector(FIELD[runtime]);
  await page.waitForTimeout(1000);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await page.focus(FIELD[runtime]);
  const events = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
  const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', {
    categories: 'devtools.timeline,blink,v8.execute,disabled-by-default-devtools.timeline',
    transferMode: 'ReportEvents',
  });
  for (let i = 0; i < KEYS; i++) {
    await page.keyboard.press(String.fromCharCode(97 + (i % 26)));
    await page.waitForTimeout(150);
  }
  await cdp.send('Tracing.end');
  await complete;
  const perKey = new Map();
  for (const e of events) {
    if (e.ph === 'X' && e.dur) perKey.set(e.name, (perKey.get(e.name) ?? 0) + e.dur / 1000 / KEYS);
  }
  console.log(`${runtime}, ${size} fields: ms per key press, by trace event (nested events overlap)`);
  for (const [name, ms] of [...perKey].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`${ms.toFixed(2).padStart(8)}  ${name}`);
  }
} finally {
  await browser.close();
  await servers.close();
}
