// The developer page that converts an Open ePlatform export in the browser.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { BASE, assertAccessible, launch, newPage } from './lib.mjs';

const FIXTURES = new URL('../oep/', import.meta.url).pathname;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

describe('Open ePlatform developer page', () => {
  test('a picked .oeflow is converted in the browser, with its report, and a broken file is explained', async () => {
    const page = await newPage(browser);
    await page.goto(new URL('dev/oep.html', BASE).href);
    await page.getByRole('heading', { level: 1, name: 'Konvertera en e-tjänst från Open ePlatform' }).waitFor();
    await assertAccessible(page, 'oep page empty');
    const flows = readdirSync(FIXTURES).filter((f) => f.endsWith('.oeflow')).sort();
    assert.ok(flows.length >= 5, `five fixtures: ${flows}`);
    for (const flow of flows) {
      await page.getByLabel('E-tjänst från Open ePlatform (.oeflow)').setInputFiles(join(FIXTURES, flow));
      await page.getByRole('status').filter({ hasText: `${flow} är konverterad` }).waitFor();
      assert.match(await page.getByRole('status').textContent(), /Definitionen godkänns av kontrollen\./, flow);
      // The checker's plain-language summary for the converted Swedish texts.
      assert.match(await page.locator('#plain-summary').textContent(), /^klarspråk: formulärets LIX är \d+ \(/, flow);
      const definition = JSON.parse(await page.getByLabel('Definitionen som JSON').inputValue());
      assert.equal(definition.blankett, '1');
      assert.ok(definition.steps.length > 0);
      assert.ok(Array.isArray(definition['x-oep'].queries));
      const href = await page.getByRole('link', { name: 'Ladda ner definitionen' }).getAttribute('href');
      assert.match(href, /^blob:/);
    }
    // Every fixture set has questions Blankett cannot take; the report says so.
    const items = await page.locator('#report li').allTextContents();
    assert.ok(items.length > 0, 'the last flow has report items');
    await assertAccessible(page, 'oep page converted');

    await page.getByLabel('E-tjänst från Open ePlatform (.oeflow)').setInputFiles({
      name: 'trasig.oeflow', mimeType: 'application/xml', buffer: Buffer.from('<Flow><name>Halv'),
    });
    await page.getByRole('status').filter({ hasText: 'trasig.oeflow kunde inte konverteras: inte välformad XML' }).waitFor();
    assert.equal(await page.getByLabel('Definitionen som JSON').inputValue(), '');
    await assertAccessible(page, 'oep page error');
    assert.deepEqual(page.jsErrors, [], 'no script errors');
    await page.context().close();
  });
});
