// The queue's states and words come from the daemon (api/meta): a superseded job reads as such, by the live
// event alone and after a reload, and the empty queue is worded for the role that reads it.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture, launch, open, shot, call } from './harness.mjs';

const T = { timeout: 120_000 };
const SAME = 'same-name.safetensors';
let fixture;
let browser;

describe('the queue, worded by the daemon', () => {
  before(async () => {
    fixture = await startFixture({ jwt: true });
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await fixture?.stop();
  });

  async function logIn(page, token) {
    await page.goto(fixture.gui);
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#connection[data-state="live"]').waitFor();
  }

  it('words the empty queue for each role: only an admin is sent to the Add tab', T, async () => {
    const viewer = await open(browser, fixture);
    await logIn(viewer, fixture.tokens.viewer);
    const empty = viewer.locator('#queue-body .empty');
    await empty.waitFor();
    assert.match(await empty.innerText(), /every job is finished\. New models are added by an admin/);
    assert.doesNotMatch(await empty.innerText(), /Add tab/);
    assert.equal(await viewer.locator('#queue-pager').isHidden(), true, 'no pager for an empty list');
    await shot(viewer, '20-viewer-empty-queue');
    assert.deepEqual(viewer.problems(), []);

    const admin = await open(browser, fixture);
    await logIn(admin, fixture.tokens.admin);
    await admin.locator('#queue-body .empty', { hasText: 'Add a model from the Add tab.' }).waitFor();
    assert.deepEqual(admin.problems(), []);
  });

  it('shows a superseded job as such: live, with the list not refetched, and after a reload', T, async () => {
    fixture.send('pace 400000'); // the first job is still downloading when the second one takes its file
    const page = await open(browser, fixture);
    await logIn(page, fixture.tokens.admin);
    await page.locator('label[for="filter-all"]').click();
    const add = (url, more) => call(fixture, 'POST', 'api/download',
      { url, model_type: 'checkpoint', filename: SAME, ...more }, fixture.tokens.admin);
    // a job is known by its target and hash: the first names one, so the second is a different job
    const first = await add(fixture.big[0], { sha256: 'ab'.repeat(32) });
    assert.equal(first.status, 202, JSON.stringify(first.json));
    const row = page.locator(`article.job[data-job-id="${first.json.job.id}"]`);
    await row.locator('.badge', { hasText: 'Downloading' }).waitFor({ timeout: 30_000 });

    // from here the page hears of jobs only through the event stream
    const held = [];
    const lists = /\/api\/(jobs|status)(\?|$)/;
    await page.route(lists, (route) => { held.push(route); });
    const second = await add(fixture.big[1]);
    assert.equal(second.status, 202, JSON.stringify(second.json));
    await row.locator('.badge', { hasText: 'Superseded' }).waitFor({ timeout: 30_000 }).catch(async (e) => {
      await shot(page, '21-failed');
      const jobs = (await call(fixture, 'GET', 'api/jobs', undefined, fixture.tokens.admin)).json.jobs;
      throw new Error(`${e.message}\njobs: ${JSON.stringify(jobs.map((j) => [j.id, j.state]))}\nrow: ${await row.innerText()}\n${page.timeline()}`);
    });
    assert.match(await row.innerText(), /A newer job for the same file took over/);
    await page.unroute(lists);
    for (const route of held) await route.continue().catch(() => {}); // some were aborted by a newer load

    await page.reload();
    await page.locator('#connection[data-state="live"]').waitFor();
    await page.locator('label[for="filter-superseded"]').click();
    await page.locator('#queue-body[aria-busy="false"]').waitFor();
    await row.locator('.badge', { hasText: 'Superseded' }).waitFor();
    assert.equal(await page.locator('[data-count="superseded"]').innerText(), '(1)');
    assert.equal(await row.getByRole('progressbar').isHidden(), true, 'its part is gone: no bar');
    await shot(page, '21-superseded-filter');
    fixture.send('pace 0');
    assert.deepEqual(page.problems(), []);
  });
});
