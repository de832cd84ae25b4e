// The same form four ways: as a Blankett definition, a SurveyJS survey, a Form.io form and,
// at 20 fields only, a plain static HTML page (the physical limit: no runtime at all).
//
//   node generate.mjs [--check]   writes tmp/forms/<runtime>/bench<size>.json for every size
//                                 and tmp/forms/static/bench20.html; --check runs
//                                 `blankett-server check` on the Blankett ones
//
// Every size uses the same ten field types in the same order, repeated: text, email,
// integer, date, select, radio, checkboxes, yes/no, textarea, personnummer (a text field
// with a pattern for the peers). Fields at positions 0, 1, 3, 5, 7 and 9 of each ten are
// required. In every ten, field 10k+9 is shown only when field 10k+7 (the yes/no) is "yes",
// written in each runtime's own condition syntax. Sizes: 20 fields on 1 step, 200 fields on
// 10 steps of 20, 1,000 fields on 10 steps of 100 (wizard pages in SurveyJS and Form.io).
//
// The static page (`staticPage`) has the same fields, labels, types, options, required flags
// and required markers ("*", as Blankett shows them) in plain HTML, with a few lines of inline
// CSS and one inline script of a few lines that shows the dependent field when its yes/no is
// "yes" (and disables it while hidden): the least any page can do for a condition, so that the
// show/hide figures have a floor too. It is one page of one step: only size 20 is made.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(HERE, '..');
export const FORMS_DIR = join(HERE, 'tmp', 'forms');
export const SIZES = [20, 200, 1000];
export const RUNTIMES = ['blankett', 'surveyjs', 'formio'];
/** The sizes the static page is made for: one step, one page. */
export const STATIC_SIZES = [20];

const TYPES = ['text', 'email', 'integer', 'date', 'select', 'radio', 'checkboxes', 'yes_no', 'textarea', 'personnummer'];
const REQUIRED = new Set([0, 1, 3, 5, 7, 9]);
const PNR_REGEX = '(19|20)?[0-9]{6}[-+]?[0-9]{4}';
const PNR_MESSAGE = 'Skriv personnumret som ÅÅÅÅMMDD-NNNN.';
// The same in an HTML `pattern` attribute, which Chromium compiles with the `v` flag: a literal
// `-` in a character class must be escaped there.
const PNR_PATTERN_ATTRIBUTE = PNR_REGEX.replace('[-+]', '[+\\-]');
const DATE_REGEX = '[0-9]{4}-[0-9]{2}-[0-9]{2}';

/** Steps for a size: [number of steps, fields per step]. */
export function layout(size) {
  return size <= 20 ? [1, size] : size <= 200 ? [size / 20, 20] : [10, size / 10];
}

/** The runtime-neutral description: steps of fields. */
export function spec(size) {
  const [steps, per] = layout(size);
  return Array.from({ length: steps }, (_, s) => ({
    id: `s${s}`,
    title: `Steg ${s + 1}`,
    fields: Array.from({ length: per }, (_, j) => {
      const i = s * per + j;
      const type = TYPES[i % 10];
      const f = { id: `q${i}`, type, label: `Fråga ${i + 1}`, required: REQUIRED.has(i % 10) };
      if (type === 'select') f.options = options(5);
      if (type === 'radio') f.options = options(3);
      if (type === 'checkboxes') f.options = options(4);
      if (i % 10 === 9) f.when = `q${i - 2}`; // shown when that yes/no is "yes"
      return f;
    }),
  }));
}

function options(n) {
  return Array.from({ length: n }, (_, k) => ({ value: `v${k + 1}`, label: `Alternativ ${k + 1}` }));
}

export function blankett(size) {
  const field = (f) => {
    const out = { id: f.id, type: f.type, label: f.label };
    if (f.required) out.required = true;
    if (f.type === 'integer') Object.assign(out, { min: 0, max: 1000 });
    if (f.options) out.options = f.options;
    if (f.when) out.visible_if = { choice: f.when, any_of: ['yes'] };
    return out;
  };
  return {
    blankett: '1',
    id: `bench${size}`,
    version: '1',
    title: `Jämförelse, ${size} fält`,
    organisation: { name: 'Exempelby kommun', contact: { email: 'kontakt@exempelby.se' } },
    privacy: {
      controller: 'Kommunstyrelsen i Exempelby kommun',
      purpose: 'Ett testformulär för prestandamätningar.',
      legal_basis: 'Allmänt intresse (GDPR art. 6.1 e).',
      retention: 'Sparas inte.',
      recipients: 'Ingen.',
      rights_url: 'https://www.exempelby.se/personuppgifter',
    },
    submit: { url: '/api/submissions' },
    steps: spec(size).map((s) => ({ id: s.id, title: s.title, fields: s.fields.map(field) })),
  };
}

export function surveyjs(size) {
  const question = (f) => {
    const q = { name: f.id, title: f.label };
    if (f.required) q.isRequired = true;
    switch (f.type) {
      case 'text': Object.assign(q, { type: 'text' }); break;
      case 'email': Object.assign(q, { type: 'text', inputType: 'email', validators: [{ type: 'email' }] }); break;
      case 'integer': Object.assign(q, { type: 'text', inputType: 'number', min: 0, max: 1000, step: 1 }); break;
      case 'date': Object.assign(q, { type: 'text', inputType: 'date' }); break;
      case 'select': Object.assign(q, { type: 'dropdown', choices: choices(f) }); break;
      case 'radio': Object.assign(q, { type: 'radiogroup', choices: choices(f) }); break;
      case 'checkboxes': Object.assign(q, { type: 'checkbox', choices: choices(f) }); break;
      case 'yes_no': Object.assign(q, { type: 'boolean', renderAs: 'radio', labelTrue: 'Ja', labelFalse: 'Nej' }); break;
      case 'textarea': Object.assign(q, { type: 'comment' }); break;
      case 'personnummer':
        Object.assign(q, { type: 'text', validators: [{ type: 'regex', regex: `^${PNR_REGEX}$`, text: PNR_MESSAGE }] });
        break;
      default: throw new Error(f.type);
    }
    if (f.when) q.visibleIf = `{${f.when}} = true`;
    return q;
  };
  return {
    title: `Jämförelse, ${size} fält`,
    pages: spec(size).map((s) => ({ name: s.id, title: s.title, elements: s.fields.map(question) })),
  };
}

function choices(f) {
  return f.options.map((o) => ({ value: o.value, text: o.label }));
}

export function formio(size) {
  const component = (f) => {
    const c = { key: f.id, label: f.label, input: true };
    if (f.required) c.validate = { required: true };
    const validate = (extra) => { c.validate = { ...c.validate, ...extra }; };
    switch (f.type) {
      case 'text': c.type = 'textfield'; break;
      case 'email': c.type = 'email'; break;
      case 'integer': Object.assign(c, { type: 'number', decimalLimit: 0, requireDecimal: false }); validate({ min: 0, max: 1000 }); break;
      // Form.io's date component (`datetime`) fetches its picker (flatpickr) from cdn.form.io at
      // run time, which is not on npm and cannot be served from loopback: a text field with
      // the ISO pattern stands in (less work for Form.io, never more).
      case 'date': Object.assign(c, { type: 'textfield', placeholder: 'ÅÅÅÅ-MM-DD' }); validate({ pattern: DATE_REGEX }); break;
      case 'select': Object.assign(c, { type: 'select', dataSrc: 'values', data: { values: values(f) } }); break;
      case 'radio': Object.assign(c, { type: 'radio', values: values(f) }); break;
      case 'checkboxes': Object.assign(c, { type: 'selectboxes', values: values(f) }); break;
      case 'yes_no': Object.assign(c, { type: 'radio', values: [{ label: 'Ja', value: 'yes' }, { label: 'Nej', value: 'no' }] }); break;
      case 'textarea': c.type = 'textarea'; break;
      case 'personnummer': c.type = 'textfield'; validate({ pattern: PNR_REGEX, customMessage: PNR_MESSAGE }); break;
      default: throw new Error(f.type);
    }
    if (f.when) c.conditional = { show: true, conjunction: 'all', conditions: [{ component: f.when, operator: 'isEqual', value: 'yes' }] };
    return c;
  };
  const steps = spec(size);
  if (steps.length === 1) {
    return {
      display: 'form',
      title: `Jämförelse, ${size} fält`,
      components: [
        ...steps[0].fields.map(component),
        { type: 'button', key: 'submit', label: 'Skicka', action: 'submit', input: true, disableOnInvalid: false },
      ],
    };
  }
  return {
    display: 'wizard',
    title: `Jämförelse, ${size} fält`,
    components: steps.map((s) => ({ type: 'panel', key: s.id, title: s.title, label: s.title, input: false, components: s.fields.map(component) })),
  };
}

function values(f) {
  return f.options.map((o) => ({ label: o.label, value: o.value }));
}

const escape = (text) => String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/**
 * The form as one plain HTML page, no runtime: the same fields as `spec(size)` (one step only).
 * Every input's id is the field's id (`#q0`); a yes/no is two radio buttons `name="q7"` with
 * values `yes` and `no`; a dependent field is in a wrapper `data-when="q7"`, hidden and its
 * input disabled until that yes/no is "yes".
 */
export function staticPage(size) {
  const steps = spec(size);
  if (steps.length !== 1) throw new Error(`the static page is one step; ${size} fields are ${steps.length}`);
  const [step] = steps;
  const mark = (f) => (f.required ? '<span aria-hidden="true"> *</span>' : '');
  const req = (f) => (f.required ? ' required' : '');
  const label = (f) => `<label for="${f.id}">${escape(f.label)}${mark(f)}</label>`;
  const choices = (f, type, options) => `<fieldset class="field"><legend>${escape(f.label)}${mark(f)}</legend>${options.map((o, k) => `<div><input type="${type}" id="${f.id}-${k}" name="${f.id}" value="${escape(o.value)}"${type === 'radio' ? req(f) : ''}><label for="${f.id}-${k}">${escape(o.label)}</label></div>`).join('')}</fieldset>`;
  const field = (f) => {
    const div = (body) => (f.when ? `<div class="field" data-when="${f.when}" hidden>${body}</div>` : `<div class="field">${body}</div>`);
    const off = f.when ? ' disabled' : '';
    switch (f.type) {
      case 'text': return div(`${label(f)}<input type="text" id="${f.id}" name="${f.id}"${req(f)}${off}>`);
      case 'email': return div(`${label(f)}<input type="email" id="${f.id}" name="${f.id}" autocomplete="email"${req(f)}${off}>`);
      case 'integer': return div(`${label(f)}<input type="number" id="${f.id}" name="${f.id}" min="0" max="1000" step="1"${req(f)}${off}>`);
      case 'date': return div(`${label(f)}<input type="date" id="${f.id}" name="${f.id}"${req(f)}${off}>`);
      case 'select': return div(`${label(f)}<select id="${f.id}" name="${f.id}"${req(f)}${off}><option value="">Välj …</option>${f.options.map((o) => `<option value="${escape(o.value)}">${escape(o.label)}</option>`).join('')}</select>`);
      case 'radio': return choices(f, 'radio', f.options);
      case 'checkboxes': return choices(f, 'checkbox', f.options);
      case 'yes_no': return choices(f, 'radio', [{ value: 'yes', label: 'Ja' }, { value: 'no', label: 'Nej' }]);
      case 'textarea': return div(`${label(f)}<textarea id="${f.id}" name="${f.id}" rows="4"${req(f)}${off}></textarea>`);
      case 'personnummer':
        return div(`${label(f)}<input type="text" id="${f.id}" name="${f.id}" inputmode="numeric" pattern="${escape(PNR_PATTERN_ATTRIBUTE)}" title="${escape(PNR_MESSAGE)}"${req(f)}${off}>`);
      default: throw new Error(f.type);
    }
  };
  return `<!DOCTYPE html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Jämförelse, ${size} fält</title>
<link rel="icon" href="data:,">
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:40rem;padding:0 1rem}
.field{margin:0 0 1.25rem;padding:0;border:0}
label,legend{display:block;padding:0}
legend,.field>label{font-weight:600;margin-bottom:.25rem}
input:not([type=radio],[type=checkbox]),select,textarea{font:inherit;box-sizing:border-box;width:100%;padding:.4rem}
</style>
</head>
<body>
<main>
<h1>Jämförelse, ${size} fält</h1>
<form method="post" action="/api/submissions">
<h2>${escape(step.title)}</h2>
<p>Fält markerade med * måste fyllas i.</p>
${step.fields.map(field).join('\n')}
<button type="submit">Skicka</button>
</form>
</main>
<script>
document.forms[0].addEventListener('change', function (e) {
  var name = e.target.name, on = e.target.checked && e.target.value === 'yes';
  document.querySelectorAll('[data-when="' + name + '"]').forEach(function (el) {
    el.hidden = !on;
    el.querySelectorAll('input,select,textarea').forEach(function (i) { i.disabled = !on; });
  });
});
</script>
</body>
</html>
`;
}

export const GENERATORS = { blankett, surveyjs, formio };

/** Writes every runtime's definition of every size, and the static page at the sizes it is
 *  made for; returns the forms folder. */
export function writeAll(sizes = SIZES) {
  for (const runtime of RUNTIMES) {
    const dir = join(FORMS_DIR, runtime);
    mkdirSync(dir, { recursive: true });
    for (const size of sizes) writeFileSync(join(dir, `bench${size}.json`), JSON.stringify(GENERATORS[runtime](size)));
  }
  const dir = join(FORMS_DIR, 'static');
  mkdirSync(dir, { recursive: true });
  for (const size of sizes.filter((s) => STATIC_SIZES.includes(s))) writeFileSync(join(dir, `bench${size}.html`), staticPage(size));
  return FORMS_DIR;
}

/** Runs the receiver's checker on the Blankett definitions; throws with its output on errors. */
export function checkBlankett(sizes = SIZES) {
  const bin = join(ROOT, 'target', 'debug', 'blankett-server');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`cargo build -p blankett-server\``);
  for (const size of sizes) {
    const file = join(FORMS_DIR, 'blankett', `bench${size}.json`);
    try {
      execFileSync(bin, ['check', file], { stdio: 'pipe' });
    } catch (e) {
      throw new Error(`blankett-server check ${file} failed:\n${e.stdout}${e.stderr}`);
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = writeAll();
  console.log(`wrote ${RUNTIMES.length * SIZES.length} definitions and ${STATIC_SIZES.length} static page to ${dir}`);
  if (process.argv.includes('--check')) {
    checkBlankett();
    console.log('blankett-server check: the Blankett definitions load without errors');
  }
}
