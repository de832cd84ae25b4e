// The published JSON Schema agrees with the loader on every definition in the repository:
// forms the loader accepts validate, and the deliberately broken one does not.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import Ajv2020 from 'ajv/dist/2020.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const schema = JSON.parse(readFileSync(`${root}schema/form-definition.schema.json`, 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: false });
const validate = ajv.compile(schema);

function definitions(dir) {
  return readdirSync(`${root}${dir}`)
    .filter((f) => f.endsWith('.json') && f !== 'index.json')
    .map((f) => [`${dir}/${f}`, JSON.parse(readFileSync(`${root}${dir}/${f}`, 'utf8'))])
    .filter(([, json]) => 'blankett' in json); // test data (prefill values) is not a definition
}

for (const [path, def] of [...definitions('public/forms'), ...definitions('tests/e2e/forms')]) {
  const broken = path.includes('broken');
  test(`${path} ${broken ? 'fails' : 'passes'} the JSON Schema`, () => {
    const ok = validate(def);
    const errors = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`).join('\n');
    assert.equal(ok, !broken, errors);
  });
}

test('extension keys are allowed where the loader ignores them', () => {
  const [, def] = definitions('public/forms')[0];
  const extended = structuredClone(def);
  extended.$schema = './schema/form-definition.schema.json';
  extended['x-cms-id'] = 42;
  extended.steps[0]['x-note'] = 'from the CMS';
  assert.ok(validate(extended), JSON.stringify(validate.errors));
  extended.steps[0].titel = 'typo';
  assert.ok(!validate(extended), 'an unknown key is still an error');
});
