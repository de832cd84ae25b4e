// Shared helpers for the browser tests: Chromium, axe-core, and a generic form filler.
//
// The filler knows no example form: it reads a definition and finds every control by its
// accessible name (label or legend) and role, reaching each one with Tab as a keyboard
// user would. It works on any definition the runtime accepts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

export const BASE = process.env.BLANKETT_URL ?? 'http://127.0.0.1:8080/';
export const ADMIN_TOKEN = process.env.BLANKETT_ADMIN_TOKEN ?? '';
/** The repository's root directory, ending in `/`. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The receiver's binary, for tests that start their own or run its checker. */
export const SERVER_BIN = process.env.BLANKETT_SERVER_BIN ?? join(ROOT, 'target/debug/blankett-server');

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
}

/** Starts a Chromium process of its own on the profile folder `profile`, for a test that
 *  kills it (`chrome.kill('SIGKILL')`) and starts it again on the same profile. */
export async function startKillable(profile) {
  const chrome = spawn(process.env.CHROMIUM ?? '/usr/bin/chromium', [...CHROMIUM_ARGS, '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const endpoint = await new Promise((resolve, reject) => {
    let seen = '';
    chrome.stderr.on('data', (d) => {
      seen += d;
      const m = seen.match(/DevTools listening on (ws:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    chrome.on('exit', (code) => reject(new Error(`chromium exited (${code}): ${seen}`)));
  });
  const cdp = await chromium.connectOverCDP(endpoint);
  return { chrome, cdp };
}

/** How much slower than this machine every page's CPU runs (`cargo xtask e2e --cpu-throttle`). */
const CPU_THROTTLE = Number(process.env.BLANKETT_CPU_THROTTLE ?? 1);

/** A phone-sized page with Swedish locale (CPU-throttled when BLANKETT_CPU_THROTTLE is set). */
export async function newPage(browser) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'sv-SE' });
  const page = await context.newPage();
  if (CPU_THROTTLE > 1) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_THROTTLE });
  }
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(m.text()); });
  page.jsErrors = errors;
  return page;
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core'), 'utf8');

/**
 * Runs axe-core with the WCAG 2.1 A/AA rules and fails with every violation listed.
 *
 * axe is evaluated through the DevTools protocol: the receiver's Content-Security-Policy
 * (rightly) blocks an injected <script> tag, and the tests keep that policy on.
 */
export async function assertAccessible(page, state) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }));
  const violations = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).join('\n    ')}`);
  assert.deepEqual(violations, [], `axe violations in state "${state}":\n${violations.join('\n')}`);
  return result.passes.length;
}

/** A definition as the app sees it: code lists (`options_from`) fetched and put in place. */
export async function fetchDefinition(id) {
  const res = await fetch(new URL(`forms/${id}.json`, BASE));
  assert.equal(res.status, 200, `forms/${id}.json`);
  const def = await res.json();
  const resolve = async (fields) => {
    for (const f of fields) {
      if (f.type === 'group' || f.type === 'repeat') await resolve(f.fields);
      if (f.options_from) {
        const list = await (await fetch(new URL(f.options_from.url, BASE))).json();
        f.options = Array.isArray(list) ? list : list.options;
      }
    }
  };
  for (const step of def.steps) await resolve(step.fields);
  return def;
}

export function text(t, lang = 'sv') {
  if (typeof t === 'string') return t;
  return t[lang] ?? t.sv ?? t.en ?? Object.values(t)[0];
}

/** Every question of a step, inside groups too, in document order (not info, computed or the
 *  questions of a repeating group's rows: see `entries`). */
export function questions(fields) {
  return entries(fields).filter((f) => f.type !== 'repeat');
}

/** The questions and repeating groups of a step, inside groups too, in document order. A
 *  question in a group remembers the group's label (`__group`): a citizen tells two "Förnamn"
 *  apart by the fieldset they are in, and so does the filler. */
export function entries(fields, group = null) {
  return fields.flatMap((f) => {
    if (f.type === 'group') return entries(f.fields, f.label);
    if (['info', 'computed'].includes(f.type)) return [];
    if (group && !('__group' in f)) Object.defineProperty(f, '__group', { value: group });
    return [f];
  });
}

/** The questions of one row of a repeating group, in document order. */
export function rowQuestions(repeat) {
  return questions(repeat.fields);
}

/** What row `i` (from 0) of a repeating group is called: its legend, e.g. "Syskon 2". */
export function rowName(repeat, i, lang = 'sv') {
  return `${repeat.item_label ? text(repeat.item_label, lang) : lang === 'sv' ? 'Rad' : 'Row'} ${i + 1}`;
}

/** A label as it reads inside a sentence, as the runtime writes it ("Lägg till syskon"). */
export function inSentence(label) {
  return /^\p{Lu}\p{Ll}/u.test(label) ? label[0].toLowerCase() + label.slice(1) : label;
}

/** The add button of a repeating group, by accessible name. */
export function addButton(page, repeat, lang = 'sv') {
  const name = repeat.add_label ? text(repeat.add_label, lang)
    : `${lang === 'sv' ? 'Lägg till' : 'Add'} ${inSentence(repeat.item_label ? text(repeat.item_label, lang) : lang === 'sv' ? 'Rad' : 'Row')}`;
  return page.getByRole('button', { name, exact: true });
}

/** The fieldset of row `i` of a repeating group. */
export function rowGroup(page, repeat, i, lang = 'sv') {
  return page.getByRole('group', { name: rowName(repeat, i, lang), exact: true });
}

/** Every computed field of a definition. */
export function computedFields(def) {
  const walk = (fields) => fields.flatMap((f) => (f.type === 'group' ? walk(f.fields) : f.type === 'computed' ? [f] : []));
  return def.steps.flatMap((s) => walk(s.fields));
}

/** Whether a question's control is on the page now (its conditions may hide it); `scope` is a
 *  row's fieldset for a row's question. */
export async function isShown(page, field, lang = 'sv', scope = page) {
  if (field.type === 'repeat') return (await page.getByRole('group', { name: labelRe(text(field.label, lang)) }).count()) > 0;
  return (await control(scope, field, lang).count()) > 0;
}

function isoDate(d) {
  return d.toISOString().slice(0, 10);
}

function dateWithin(field) {
  const today = new Date();
  const resolve = (b) => (b === 'today' ? new Date(isoDate(today)) : b ? new Date(b) : null);
  const min = resolve(field.min);
  const max = resolve(field.max);
  let d = new Date(isoDate(today));
  d.setUTCDate(d.getUTCDate() + (field.min === 'today' ? 30 : -30));
  if (min && d < min) d = new Date(min.getTime() + 86400000);
  if (max && d > max) d = new Date(max.getTime() - 86400000);
  if (min && d < min) d = min;
  return isoDate(d);
}

/** The bytes of small real files the tests attach: a one-page PDF, a 1×1 PNG and JPEG. */
export const SAMPLE_BYTES = {
  'application/pdf': Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n'),
  'image/png': Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64'),
  'image/jpeg': Buffer.from('/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=', 'base64'),
};
const EXTENSION = { 'application/pdf': 'pdf', 'image/png': 'png', 'image/jpeg': 'jpg' };

/** Every sample file handed out, by name, so a listed file reads back as the value given. */
const SAMPLES = new Map();

/** A sample file a file field accepts (a PDF if it takes one, else a PNG or a JPEG), named
 *  after the field so each field's file is its own. */
export function sampleFile(field, n = 1) {
  const accepts = (mime) => (field.accept ?? []).some((a) => a.toLowerCase() === mime || a.toLowerCase() === `.${EXTENSION[mime]}`);
  const mime = ['application/pdf', 'image/png', 'image/jpeg'].find(accepts);
  if (!mime) return null;
  const name = `${field.id}-${n}.${EXTENSION[mime]}`;
  const file = { name, mimeType: mime, buffer: SAMPLE_BYTES[mime] };
  SAMPLES.set(name, file);
  return file;
}

/** A valid answer for a question, or null when no valid value can be derived (a required pattern). */
export function validValue(field, answers) {
  if (field.must_match) return answers[field.must_match];
  const fit = (s) => {
    let v = s;
    while (field.min_length && v.length < field.min_length) v += ' och mer text';
    return field.max_length ? v.slice(0, field.max_length).trim() : v;
  };
  switch (field.type) {
    case 'text': return field.pattern ? null : fit('Testvärde');
    case 'textarea': return fit('En beskrivning skriven i testet.');
    case 'email': return 'test.person@example.se';
    case 'phone': return '070-123 45 67';
    case 'number': case 'integer': {
      const lo = field.min ?? 1;
      const hi = field.max ?? lo + 10;
      return String(Math.max(lo, Math.min(hi, Math.ceil(lo))));
    }
    case 'date': return dateWithin(field);
    case 'personnummer': return '19121212-1212';
    case 'organisationsnummer': return '212000-0142';
    case 'postal_code': return '123 45';
    case 'select': case 'radio': return field.options[0].value;
    case 'yes_no': return 'yes';
    case 'checkboxes': return field.options.slice(0, Math.max(1, field.min_choices ?? 1)).map((o) => o.value);
    case 'file': { const f = sampleFile(field); return f ? [f] : null; }
    default: throw new Error(`unknown type ${field.type}`);
  }
}

/** How long a test waits for what the app does asynchronously (focus, announcements). */
export const SETTLE_MS = 20_000;

/** Describes the focused element, for a failure message. */
function describeFocus(page) {
  return page.evaluate(() => {
    let a = document.activeElement;
    while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
    if (!a || a === document.body) return '<body> (nothing)';
    return `<${a.tagName.toLowerCase()}${a.id ? ` id="${a.id}"` : ''}> "${(a.textContent ?? '').trim().slice(0, 60)}"`;
  }).catch((e) => `unknown (${e.message})`);
}

/** Waits until the element `locator` finds has focus (or, with `within`, holds it); the app
 *  moves focus asynchronously, and a loaded machine may take a while. */
export async function waitForFocus(page, locator, what, { within = false } = {}) {
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    const ok = await locator.evaluate((el, inside) => {
      // The focused element itself, also inside an embedded form's shadow root.
      let a = document.activeElement;
      while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
      return inside ? el.contains(a) : el === a;
    }, within).catch(() => false);
    if (ok) return;
    if (Date.now() > deadline) assert.fail(`focus did not reach ${what}; it is on ${await describeFocus(page)}`);
    await page.waitForTimeout(50);
  }
}

/** Waits until the element with id `id` has focus. */
export async function waitForFocusId(page, id, what = `#${id}`) {
  try {
    await page.waitForFunction((i) => document.activeElement?.id === i, id, { timeout: SETTLE_MS });
  } catch {
    assert.fail(`focus did not reach ${what}; it is on ${await describeFocus(page)}`);
  }
}

/** Waits until exactly one live status region says `text`. */
export async function waitForAnnouncement(page, text, what = `"${text}" announced`) {
  const status = page.getByRole('status').filter({ hasText: text });
  await status.first().waitFor({ timeout: SETTLE_MS });
  assert.equal(await status.count(), 1, what);
}

/**
 * Starts sampling which element has focus, once in every task and every frame (a screen reader
 * hears focus changes at that grain, not between the microtasks of one task). `stop()` ends it
 * and returns the samples taken and those where focus rested on <body>.
 */
export async function watchFocus(page) {
  await page.evaluate(() => {
    const w = { samples: 0, onBody: [], running: true };
    window.__focusWatch = w;
    const sample = (when) => {
      w.samples++;
      const a = document.activeElement;
      if (!a || a === document.body) w.onBody.push(when);
    };
    const channel = new MessageChannel();
    channel.port1.onmessage = () => { sample('task'); if (w.running) channel.port2.postMessage(0); };
    channel.port2.postMessage(0);
    const frame = () => { sample('frame'); if (w.running) requestAnimationFrame(frame); };
    requestAnimationFrame(frame);
  });
  return {
    stop: () => page.evaluate(() => {
      const w = window.__focusWatch;
      w.running = false;
      return { samples: w.samples, onBody: w.onBody };
    }),
  };
}

/** Presses Tab until `locator` has focus; fails if it is not reachable by keyboard. */
export async function tabTo(page, locator, what) {
  for (let i = 0; i < 120; i++) {
    if (await locator.evaluate((el) => el.getRootNode().activeElement === el).catch(() => false)) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`could not reach ${what} with the Tab key`);
}

function labelRe(label) {
  return new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
}

/** The control for a question, found by accessible name (label/legend) and role, on the page
 *  or inside `scope` (a row's fieldset). */
export function control(scope, field, lang = 'sv') {
  const label = text(field.label, lang);
  if (field.__group) scope = scope.getByRole('group', { name: labelRe(text(field.__group, lang)) });
  switch (field.type) {
    // Radio buttons and yes/no are a radiogroup (its invalid state is exposed); checkboxes a group.
    case 'radio': case 'yes_no':
      return scope.getByRole('radiogroup', { name: labelRe(label) });
    case 'checkboxes':
      return scope.getByRole('group', { name: labelRe(label) });
    case 'select':
      return scope.getByRole('combobox', { name: labelRe(label) });
    default:
      return scope.getByLabel(labelRe(label), { exact: false })
        .and(scope.locator('input:not([type=radio]):not([type=checkbox]), textarea'));
  }
}

/** Answers one question with the keyboard only (inside `scope`, a row's fieldset, if given). */
export async function answer(page, field, value, lang = 'sv', scope = page) {
  const label = text(field.label, lang);
  const el = control(scope, field, lang);
  switch (field.type) {
    case 'radio': case 'yes_no': {
      const options = field.type === 'yes_no' ? ['yes', 'no'] : field.options.map((o) => o.value);
      const index = options.indexOf(value);
      const first = el.getByRole('radio').first();
      await tabTo(page, first, `the first option of "${label}"`);
      if (index === 0) await page.keyboard.press('Space');
      for (let i = 0; i < index; i++) await page.keyboard.press('ArrowDown');
      const name = field.type === 'yes_no' ? (value === 'yes' ? 'Ja' : 'Nej') : text(field.options[index].label, lang);
      assert.ok(await el.getByRole('radio', { name, exact: true }).isChecked(), `"${name}" is chosen in "${label}"`);
      break;
    }
    case 'checkboxes':
      for (const v of value) {
        const option = field.options.find((o) => o.value === v);
        const box = el.getByRole('checkbox', { name: text(option.label, lang), exact: true });
        await tabTo(page, box, `"${text(option.label, lang)}" in "${label}"`);
        await page.keyboard.press('Space');
        assert.ok(await box.isChecked());
      }
      break;
    case 'select': {
      await tabTo(page, el, `"${label}"`);
      const index = field.options.findIndex((o) => o.value === value);
      for (let i = 0; i <= index; i++) await page.keyboard.press('ArrowDown');
      assert.equal(await el.inputValue(), value, `"${label}" has the chosen option`);
      break;
    }
    case 'date':
      await tabTo(page, el, `"${label}"`);
      await el.fill(value); // a native date input takes its segments in the browser's locale
      break;
    case 'file':
      await attachByKeyboard(page, el, value, `"${label}"`);
      for (const f of value) await attachedFile(scope, field, f.name, lang).waitFor({ timeout: SETTLE_MS });
      break;
    default:
      await tabTo(page, el, `"${label}"`);
      await page.keyboard.press('Control+A'); // replace a prefilled value
      await page.keyboard.type(value);
  }
}

/** Tabs to a file chooser, opens it with Space as a keyboard user does, and picks `files`
 *  (`{ name, mimeType, buffer }`) in the dialog the browser opens. */
export async function attachByKeyboard(page, input, files, what) {
  // Playwright turns on Chromium's file chooser interception when a listener is first added,
  // without waiting for it: subscribe first and make one round trip, so the chooser that Space
  // opens is always the intercepted one.
  if (!page.__interceptsChooser) {
    page.on('filechooser', () => {});
    await page.evaluate(() => 0);
    page.__interceptsChooser = true;
  }
  await tabTo(page, input, what);
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser', { timeout: SETTLE_MS }),
    page.keyboard.press('Space'),
  ]);
  await chooser.setFiles(files);
}

/** A file field's own box (label, chooser, list) inside `scope`, found by its label. The
 *  `has` locator is matched inside each box, so it starts from the page, not from `scope`. */
function fileBox(scope, field, lang) {
  // A Locator, a Page, or `within`'s page scoped to a host element: the frame at the root.
  const root = typeof scope.page === 'function' ? scope.page().mainFrame() : scope.mainFrame();
  return scope.locator('.field--file', { has: root.getByLabel(labelRe(text(field.label, lang)), { exact: false }) });
}

/** The list item of an attached file in a file field, by the file's name. */
export function attachedFile(scope, field, name, lang = 'sv') {
  const list = lang === 'sv' ? 'Bifogade filer' : 'Attached files';
  return fileBox(scope, field, lang)
    .getByRole('list', { name: list }).getByRole('listitem').filter({ hasText: name });
}

/** The value of a text control that the citizen cannot change (a locked prefilled value), or null. */
export async function lockedValue(page, field, lang = 'sv') {
  if (['radio', 'yes_no', 'checkboxes', 'select', 'repeat'].includes(field.type)) return null;
  const el = control(page, field, lang);
  return (await el.getAttribute('readonly')) !== null ? el.inputValue() : null;
}

/** The next-step button of the current page, by accessible name. */
export function nextButton(page) {
  return page.getByRole('button', { name: /^(Nästa|Granska dina svar|Spara och gå tillbaka till granskningen|Next|Review your answers)$/ });
}

/**
 * `page`, with its locators scoped to `host` (an embedded form's `<blankett-form>` element):
 * the shared helpers then find one form's controls among several on the page (Playwright's
 * locators reach into open shadow roots), while the keyboard stays the page's.
 */
export function within(page, host) {
  return new Proxy(page, {
    get(target, prop) {
      if (['getByRole', 'getByLabel', 'getByText', 'locator'].includes(prop)) return host[prop].bind(host);
      const value = target[prop];
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Activates a button from the keyboard: Tab to it, then Enter. */
export async function press(page, button, what) {
  await tabTo(page, button, what);
  await page.keyboard.press('Enter');
}

/** The bytes of an admin read (an attached file), with its status and headers. */
export async function adminBytes(path) {
  const res = await fetch(new URL(path, BASE), { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

export async function adminGet(path) {
  const res = await fetch(new URL(path, BASE), { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  return { status: res.status, body: await res.json().catch(() => null) };
}

/** The example and test forms the receiver serves. */
export async function formIds() {
  const res = await fetch(new URL('api/forms', BASE));
  assert.equal(res.status, 200);
  return (await res.json()).map((f) => f.id).sort();
}

/** Whether a field sits in a group that has a condition. */
export function hiddenByGroup(fields, id, inside = false) {
  for (const f of fields) {
    if (f.id === id) return inside;
    if (f.type === 'group' && hiddenByGroup(f.fields, id, inside || Boolean(f.visible_if))) return true;
  }
  return false;
}

/** Fills a repeating group's rows (at least `want`, adding rows with the keyboard as needed)
 *  and returns each row's answers. */
export async function fillRows(page, repeat, want = Math.max(repeat.min_rows ?? 0, 1)) {
  let rows = 0;
  while ((await rowGroup(page, repeat, rows).count()) > 0) rows++;
  assert.equal(rows, repeat.min_rows ?? 0, `${repeat.id} starts with min_rows rows`);
  for (; rows < want; rows++) {
    await press(page, addButton(page, repeat), `add a row to ${repeat.id}`);
    await rowGroup(page, repeat, rows).waitFor();
    await waitForFocus(page, rowGroup(page, repeat, rows), `the new row of ${repeat.id}`, { within: true });
  }
  const values = [];
  for (let i = 0; i < want; i++) {
    const scope = rowGroup(page, repeat, i);
    const row = {};
    for (const q of rowQuestions(repeat)) {
      if (!(await isShown(page, q, 'sv', scope))) continue;
      // A different answer per row, so rows cannot be mixed up unnoticed.
      const v = validValue(q, row);
      if (v === null) continue;
      const value = q.type === 'text' && !q.pattern && !q.max_length ? `${v} ${i + 1}` : v;
      await answer(page, q, value, 'sv', scope);
      row[q.id] = value;
    }
    values.push(row);
  }
  return values;
}

/** Answers every question shown on the current step (rows too) with the keyboard, records the
 *  answers in `given` by field id, and locked prefilled ones in `locked`. */
export async function fillStep(page, def, step, given = {}, locked = new Set()) {
  for (const field of entries(step.fields)) {
    if (!(await isShown(page, field))) {
      assert.ok(field.visible_if || hiddenByGroup(step.fields, field.id), `${def.id}.${field.id} is on the page`);
      continue;
    }
    if (field.type === 'repeat') {
      given[field.id] = await fillRows(page, field);
      continue;
    }
    const fixed = await lockedValue(page, field);
    if (fixed !== null) {
      given[field.id] = fixed;
      locked.add(field.id);
      continue;
    }
    const value = validValue(field, given);
    if (value === null) {
      assert.ok(!field.required, `${def.id}.${field.id}: the test cannot make a value for a required pattern`);
      continue;
    }
    await answer(page, field, value);
    given[field.id] = value;
  }
  return given;
}

/** The answer a question shows now, in the form `validValue` gives (`scope`: a row's fieldset). */
export async function shownValue(page, field, lang = 'sv', scope = page) {
  const el = control(scope, field, lang);
  switch (field.type) {
    case 'radio': case 'yes_no': {
      const options = field.type === 'yes_no'
        ? [['yes', lang === 'sv' ? 'Ja' : 'Yes'], ['no', lang === 'sv' ? 'Nej' : 'No']]
        : field.options.map((o) => [o.value, text(o.label, lang)]);
      for (const [value, label] of options) {
        if (await el.getByRole('radio', { name: label, exact: true }).isChecked()) return value;
      }
      return null;
    }
    case 'checkboxes': {
      const chosen = [];
      for (const o of field.options) {
        if (await el.getByRole('checkbox', { name: text(o.label, lang), exact: true }).isChecked()) chosen.push(o.value);
      }
      return chosen;
    }
    case 'file': {
      const list = lang === 'sv' ? 'Bifogade filer' : 'Attached files';
      const items = fileBox(scope, field, lang).getByRole('list', { name: list }).getByRole('listitem');
      const names = [];
      for (const item of await items.all()) names.push((await item.locator('bdi').textContent()).trim());
      return names.map((n) => SAMPLES.get(n) ?? { name: n });
    }
    default:
      return el.inputValue();
  }
}

/** Waits until the draft is saved on the device after `since` (ms since the epoch): the save
 *  status carries the time of the last save that reached the disk. */
export async function waitForSave(page, since) {
  try {
    await page.waitForFunction((t) => Number(document.querySelector('#save-status')?.dataset.savedAt ?? 0) > t, since, { timeout: SETTLE_MS });
  } catch {
    assert.fail(`no save after ${since}: ${await page.locator('#save-status').textContent().catch(() => 'no status')}`);
  }
}

/**
 * Fills a started form (on its first step) to the review page with the generic answers: every
 * question shown, one row in each repeating group (more if `min_rows` asks), reached with the
 * keyboard. Returns the answers by field id. Asserts less than the journeys do (no axe, no
 * focus watch): for tests whose subject is something else (offline, a sub-path).
 */
export async function fillToReview(page, def) {
  const given = {};
  for (let n = 1; n <= def.steps.length; n++) {
    const heading = page.locator('#step-heading');
    await heading.waitFor({ timeout: SETTLE_MS });
    const title = (await heading.textContent()).trim();
    if (title === 'Granska dina svar') return given;
    const step = def.steps.find((s) => text(s.title) === title);
    assert.ok(step, `step "${title}" is in ${def.id}`);
    await fillStep(page, def, step, given);
    await press(page, nextButton(page), `Next on step ${n} of ${def.id}`);
    const deadline = Date.now() + SETTLE_MS;
    while ((await heading.textContent().catch(() => title))?.trim() === title) {
      if (Date.now() > deadline) assert.fail(`Next on step ${n} of ${def.id} did not leave "${title}"`);
      await page.waitForTimeout(50);
    }
  }
  const title = (await page.locator('#step-heading').textContent()).trim();
  assert.equal(title, 'Granska dina svar', `${def.id} reaches its review page`);
  return given;
}

/**
 * A client of the signature profile (docs/api/signatures.md) written from the document, in
 * node's WebCrypto: an independent check of the browser's and the receiver's shared code.
 * Returns the headers of a signed POST of `body` to `url` under `submissionId`.
 */
export async function signedHeaders(url, body, submissionId, { key, created } = {}) {
  const subtle = globalThis.crypto.subtle;
  const pair = key ?? await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const b64 = (bytes) => Buffer.from(bytes).toString('base64');
  const b64url = (bytes) => Buffer.from(bytes).toString('base64url');
  const { kty, crv, x, y } = await subtle.exportKey('jwk', pair.publicKey);
  const jwk = { crv, kty, x, y };
  const keyid = b64url(await subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(jwk))));
  const digest = `sha-256=:${b64(await subtle.digest('SHA-256', new TextEncoder().encode(body)))}:`;
  const idempotency = `"${submissionId}"`;
  const nonce = b64url(globalThis.crypto.getRandomValues(new Uint8Array(16)));
  const params = `("@method" "@target-uri" "content-type" "content-digest" "idempotency-key");created=${created ?? Math.floor(Date.now() / 1000)};nonce="${nonce}";keyid="${keyid}";alg="ecdsa-p256-sha256"`;
  const base = [
    `"@method": POST`,
    `"@target-uri": ${url}`,
    `"content-type": application/json`,
    `"content-digest": ${digest}`,
    `"idempotency-key": ${idempotency}`,
    `"@signature-params": ${params}`,
  ].join('\n');
  const signature = await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, new TextEncoder().encode(base));
  return {
    'Content-Type': 'application/json',
    'Content-Digest': digest,
    'Idempotency-Key': idempotency,
    'Blankett-Key': JSON.stringify(jwk),
    'Signature-Input': `blankett=${params}`,
    Signature: `blankett=:${b64(signature)}:`,
  };
}
