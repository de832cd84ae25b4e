// A press on Next right after fixing the last error (mouse, or a finger on a phone): the field
// loses focus on the press, its message and the summary line would go at once and move Next
// away under the pointer before the click, and the click would be lost. The change waits for
// the press to end (src/browser.rs, `after_press`), so one press moves on.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { BASE, SETTLE_MS, control, fetchDefinition, fillStep, launch, nextButton, press, text } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

describe('a press on Next after fixing the errors', () => {
  for (const [how, touch] of [['a mouse click', false], ['a tap on a phone', true]]) {
    test(`${how} moves on at the first press`, async () => {
      // Tall enough that the step needs no scrolling: scroll anchoring would hide the shift.
      const context = await browser.newContext({ viewport: { width: 390, height: 2400 }, locale: 'sv-SE', hasTouch: touch, isMobile: touch });
      const page = await context.newPage();
      const def = await fetchDefinition('parkeringstillstand');
      await page.goto(new URL('?form=parkeringstillstand&start=1&lang=sv', BASE).href);
      const heading = page.locator('#step-heading');
      await heading.waitFor({ timeout: SETTLE_MS });
      await press(page, nextButton(page), 'Next with nothing answered');
      await page.getByRole('group', { name: 'Rätta följande innan du går vidare' }).waitFor({ timeout: SETTLE_MS });
      await fillStep(page, def, def.steps[0]);
      // One answer wrong, told when leaving it; then put right, and the field keeps focus
      // until the press: its message goes on the press.
      const pnr = def.steps[0].fields.find((f) => f.type === 'personnummer');
      const field = control(page, pnr);
      await field.focus();
      await page.keyboard.press('Control+A');
      await page.keyboard.type('123');
      await page.keyboard.press('Tab');
      await page.locator(`#f-${pnr.id}-error, .field--error`).first().waitFor({ timeout: SETTLE_MS });
      await field.focus();
      await page.keyboard.press('Control+A');
      await page.keyboard.type('19121212-1212');
      if (touch) await nextButton(page).tap();
      else await nextButton(page).click();
      await page.getByRole('heading', { level: 2, name: text(def.steps[1].title) }).waitFor({ timeout: SETTLE_MS });
      assert.equal((await heading.textContent()).trim(), text(def.steps[1].title));
      await context.close();
    });
  }
});
