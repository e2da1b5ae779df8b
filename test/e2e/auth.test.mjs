// The GUI on a daemon with jwt_secret: the token prompt, admin and viewer tokens, an expired token.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture, launch, open, shot, call } from './harness.mjs';

const T = { timeout: 120_000 };
let fixture;
let browser;

describe('the GUI with tokens', () => {
  before(async () => {
    fixture = await startFixture({ jwt: true });
    browser = await launch();
    const queued = await call(fixture, 'POST', 'api/download',
      { url: fixture.big[0], model_type: 'checkpoint', filename: 'watched.safetensors' }, fixture.tokens.admin);
    assert.equal(queued.status, 202, JSON.stringify(queued.json));
  });

  after(async () => {
    await browser?.close();
    await fixture?.stop();
  });

  async function logIn(page, token, remember = false) {
    await page.goto(fixture.gui);
    await page.getByLabel('API token').fill(token);
    if (remember) await page.getByLabel('Remember me on this device').check();
    await page.getByRole('button', { name: 'Log in' }).click();
  }

  it('asks for a token, and an admin token gets every control', T, async () => {
    const page = await open(browser, fixture);
    await page.goto(fixture.gui);
    await page.getByLabel('API token').waitFor();
    assert.equal(await page.locator('#login-reason').isHidden(), true, 'no complaint before a token was tried');
    await shot(page, '10-login');

    await logIn(page, fixture.tokens.admin);
    const row = page.locator('article.job[aria-label="watched.safetensors"]');
    await row.waitFor();
    await page.locator('#connection[data-state="live"]').waitFor(); // the event stream took ?access_token=
    await row.getByRole('button', { name: /^(Pause|Resume)$/ }).first().waitFor();
    assert.equal(await page.locator('#nav [data-view="add"]').isVisible(), true);
    assert.equal(await page.locator('#role').innerText(), 'admin');
    assert.equal(await page.evaluate(() => sessionStorage.length), 1, 'kept for this tab only');
    assert.equal(await page.evaluate(() => localStorage.length), 0);
    await shot(page, '10-admin');

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByText('You are logged out').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.length + localStorage.length), 0);
    assert.deepEqual(page.problems(), []);
  });

  it('a viewer token sees everything but no control that changes anything', T, async () => {
    const page = await open(browser, fixture, { width: 375, height: 812 });
    await logIn(page, fixture.tokens.viewer, true);
    const row = page.locator('article.job[aria-label="watched.safetensors"]');
    await row.waitFor();
    await page.locator('#connection[data-state="live"]').waitFor();
    assert.equal(await page.locator('#role').innerText(), 'viewer (read only)');
    assert.equal(await page.evaluate(() => localStorage.length), 1, 'remembered on this device');
    for (const name of ['Pause', 'Resume', 'Cancel', 'Retry', 'Remove']) {
      assert.equal(await page.getByRole('button', { name, exact: true }).count(), 0, `no ${name} button`);
    }
    assert.equal(await page.locator('#view-queue').getByLabel('Priority').count(), 0);
    assert.equal(await page.locator('#nav [data-view="add"]').isVisible(), false);
    await shot(page, '11-viewer-queue');

    await page.goto(`${fixture.gui}#add`); // typed by hand: still no form
    await page.locator('#view-queue:not([hidden])').waitFor();
    await page.locator('#nav [data-view="updates"]').click();
    await page.locator('.tile').first().waitFor();
    assert.equal(await page.getByRole('button', { name: 'Check now' }).isVisible(), false);
    assert.equal(await page.locator('#view-updates select').count(), 0);
    await page.locator('#nav [data-view="metrics"]').click();
    await page.locator('svg.chart').waitFor();
    await shot(page, '11-viewer-metrics');
    assert.deepEqual(page.problems(), []);
  });

  it('an expired or forged token returns to the login with the reason', T, async () => {
    const expired = fixture.tokens.expired;
    const page = await open(browser, fixture, {
      storage: `try { if (!sessionStorage.getItem('seeded')) { sessionStorage.setItem('seeded', '1');
        localStorage.setItem('civitai-daemon.token', ${JSON.stringify(expired)}); } } catch {}`,
    });
    await page.goto(fixture.gui);
    await page.locator('#login-reason', { hasText: 'the token has expired' }).waitFor();
    assert.equal(await page.evaluate(() => localStorage.getItem('civitai-daemon.token')), null, 'the dead token is dropped');
    await shot(page, '12-expired');

    const forged = `${fixture.tokens.admin.slice(0, -4)}AAAA`;
    await page.getByLabel('API token').fill(forged);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#login-reason', { hasText: 'bad signature' }).waitFor();
    assert.deepEqual(page.problems(), []);
  });
});
