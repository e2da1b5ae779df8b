// The GUI without tokens (admin on loopback), in Debian's chromium against a real daemon and the fakes.
// Tests run in order and share one daemon: the model added by link is the one later seen in the library,
// the metrics and the update check. Each saves a screenshot under build/e2e/.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture, launch, open, shot, call, until } from './harness.mjs';

const FLUX = 'pp-storybook_rank2_bf16.safetensors';
const T = { timeout: 120_000 };
let fixture;
let browser;
let page;

const row = (name) => page.locator(`article.job[aria-label="${name}"]`);
const tile = (label) => page.locator('.tile').filter({ has: page.locator('.label', { hasText: new RegExp(`^${label}$`) }) }).locator('.value');
const badge = (name, text) => row(name).locator('.badge', { hasText: text }).waitFor({ timeout: 30_000 });

async function showAll() {
  await page.locator('label[for="filter-all"]').click();
  await page.locator('#queue-body[aria-busy="false"]').waitFor();
}

async function addUrl(url, filename, modelType = 'checkpoint') {
  const r = await call(fixture, 'POST', 'api/download', { url, filename, model_type: modelType });
  assert.equal(r.status, 202, JSON.stringify(r.json));
  return r.json.job.id;
}

describe('the GUI, no tokens', () => {
  before(async () => {
    fixture = await startFixture();
    browser = await launch();
    page = await open(browser, fixture);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(fixture.base).origin });
  });

  after(async () => {
    await browser?.close();
    await fixture?.stop();
  });

  it('opens /gui with no console error and no request leaving loopback', T, async () => {
    await page.goto(fixture.base);
    assert.equal(page.url(), fixture.gui, 'the root redirects to the page, relatively');
    const answer = await page.goto(fixture.gui);
    assert.equal(answer.status(), 200);
    assert.match(answer.headers()['content-security-policy'], /script-src 'self'/);
    await page.locator('#connection[data-state="live"]').waitFor();
    assert.equal(await page.locator('#connection').innerText(), 'Live');
    for (const view of ['Add', 'Library', 'Metrics', 'Updates', 'Queue']) {
      await page.getByRole('link', { name: view, exact: true }).click(); // no count on the Queue yet
      await page.locator(`#view-${view.toLowerCase()}:not([hidden])`).waitFor();
      await page.locator('.spinner-border').waitFor({ state: 'detached' });
    }
    await page.getByText('Nothing to do: every job is finished').waitFor();
    await shot(page, '01-open-empty-queue');
    assert.deepEqual(page.problems(), []);
  });

  it('adds by Civitai link and watches the row progress and complete live', T, async () => {
    fixture.send('pace 1500000'); // about 12 s for its 18 MiB: time to watch it
    await page.locator('#nav [data-view="add"]').click();
    await page.getByLabel('Civitai link, AIR or id').fill(`${fixture.civitai}/models/1231067/vivid?modelVersionId=1387174`);
    await page.locator('#add-ref').getByRole('button', { name: 'Add', exact: true }).click();
    await page.locator('#add-ref .alert-success', { hasText: `Queued: lora/${FLUX}` }).waitFor();
    await shot(page, '02-add-by-link');

    await page.locator('#nav [data-view="queue"]').click();
    await showAll();
    await page.evaluate(() => { window.notReloaded = true; });
    const meter = row(FLUX).getByRole('progressbar');
    let seen = [];
    await until(async () => {
      const now = Number(await meter.getAttribute('aria-valuenow'));
      seen.push(now);
      return now > 0 && now < 100;
    }, 'the progress bar to move', 30_000).catch(async (e) => {
      await shot(page, '02-failed');
      const jobs = (await call(fixture, 'GET', 'api/jobs')).json.jobs;
      throw new Error(`${e.message}; saw ${[...new Set(seen)]}; jobs ${JSON.stringify(jobs)}\n${page.timeline()}`);
    });
    await badge(FLUX, 'Downloading');
    assert.match(await row(FLUX).locator('.numbers').innerText(), /^[\d.]+ (B|KiB|MiB) of 18\.4 MiB \(\d+%\)\s+[\d.]+ (B|KiB|MiB)\/s(\s+.+ left)?$/);
    await shot(page, '02-progress');
    fixture.send('pace 3145728');
    await badge(FLUX, 'Completed');
    assert.equal(await meter.getAttribute('aria-valuenow'), '100');
    assert.equal(await page.evaluate(() => window.notReloaded), true, 'updated in place, without a reload');
    await shot(page, '02-completed');
    assert.deepEqual(page.problems(), []);
  });

  it('pauses and resumes a download', T, async () => {
    const name = 'big-1.safetensors';
    const id = await addUrl(fixture.big[0], name);
    await badge(name, 'Downloading');
    await row(name).getByRole('button', { name: 'Pause', exact: true }).click();
    await badge(name, 'Paused');
    await page.locator('#toasts', { hasText: `Paused ${name}` }).waitFor();
    await shot(page, '03-paused');
    assert.equal((await call(fixture, 'GET', `api/jobs/${id}`)).json.job.state, 'paused');

    await row(name).getByLabel('Priority').fill('5');
    await row(name).getByLabel('Priority').press('Enter');
    await page.locator('#toasts', { hasText: `Priority of ${name} is now 5` }).waitFor();
    assert.equal((await call(fixture, 'GET', `api/jobs/${id}`)).json.job.priority, 5);
    await row(name).getByLabel('Priority').fill('2000000');
    await row(name).getByLabel('Priority').press('Enter');
    await page.locator('#toasts .alert-danger', { hasText: 'must be a whole number from -1000000 to 1000000' }).waitFor();
    await shot(page, '03-priority-refused');
    assert.equal((await call(fixture, 'GET', `api/jobs/${id}`)).json.job.priority, 5);
    // "400 (Bad Request)" over HTTP/1.1, "400 ()" over HTTP/2 (no reason phrase, e.g. through nginx)
    const refused = page.problems().findIndex((p) => /status of 400 \(/.test(p));
    assert.ok(refused >= 0, 'the refusal came from the daemon');
    page.problems().splice(refused, 1); // the browser logs every 4xx; this one the test asked for

    await row(name).getByRole('button', { name: 'Resume', exact: true }).click();
    await badge(name, 'Downloading');
    await shot(page, '03-resumed');
    assert.deepEqual(page.problems(), []);
  });

  it('cancels one, then removes it with its file', T, async () => {
    const name = 'big-2.safetensors';
    const id = await addUrl(fixture.big[1], name);
    await badge(name, 'Downloading');
    await row(name).getByRole('button', { name: 'Cancel', exact: true }).click();
    await badge(name, 'Cancelled');
    await shot(page, '04-cancelled');
    assert.equal((await call(fixture, 'GET', `api/jobs/${id}`)).json.job.state, 'cancelled');

    await row(name).getByRole('button', { name: 'Remove', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Also delete the file').check();
    await shot(page, '04-remove-dialog');
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    await row(name).waitFor({ state: 'detached' });
    assert.equal((await call(fixture, 'GET', `api/jobs/${id}`)).status, 404);
    assert.deepEqual(page.problems(), []);
  });

  it('says in words why a download failed, and retries it', T, async () => {
    const name = 'missing.safetensors';
    const id = await addUrl(`${fixture.civitai}/files/missing.safetensors`, name, 'vae');
    await until(async () => (await call(fixture, 'GET', `api/jobs/${id}`)).json.job.state === 'failed', 'the job to fail');
    await page.locator('label[for="filter-failed"]').click();
    await badge(name, 'Failed');
    const reason = await row(name).locator('.reason').innerText();
    assert.match(reason, /^Not found on the server\. .*404/, reason);
    await shot(page, '04-failed');
    await row(name).getByRole('button', { name: 'Retry', exact: true }).click();
    await page.locator('#toasts', { hasText: `Queued again: ${name}` }).waitFor();
    await until(async () => (await call(fixture, 'GET', `api/jobs/${id}`)).json.job.attempts > 1, 'a second attempt');
    await showAll();
    assert.deepEqual(page.problems(), []);
  });

  it('rejects a manifest with one bad entry, saying why, and queues nothing', T, async () => {
    await page.locator('#nav [data-view="add"]').click();
    const manifest = [
      { url: fixture.big[2], model_type: 'vae', filename: 'good-vae.safetensors' },
      { url: 'http://127.0.0.1:9/no-type.safetensors' },
      { civitai: 'urn:air:flux1:lora:civitai:1231067@1387174' },
    ];
    await page.getByLabel('Manifest file').setInputFiles({ name: 'manifest.json', mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(manifest, null, 2)) });
    await until(async () => (await page.getByLabel('Manifest JSON').inputValue()).includes('no-type'), 'the file to be read');
    await page.getByRole('button', { name: 'Add all', exact: true }).click();
    await page.locator('#add-batch .alert-danger', { hasText: '1 of 3 entries are invalid; nothing was queued' }).waitFor();
    const rejected = page.locator('#add-batch tr[data-index="1"]');
    assert.match(await rejected.innerText(), /Rejected: .*model_type/);
    assert.match(await page.locator('#add-batch tr[data-index="0"]').innerText(), /Valid, not queued/);
    await shot(page, '05-batch-rejected');
    const jobs = (await call(fixture, 'GET', 'api/jobs?limit=500')).json.jobs;
    assert.ok(!jobs.some((j) => j.filename === 'good-vae.safetensors'), 'nothing queued');

    await page.getByRole('button', { name: 'Add the 2 valid entries only' }).click();
    await page.locator('#add-batch .alert-success', { hasText: 'All 2 entries accepted' }).waitFor();
    assert.match(await page.locator('#add-batch tr[data-index="0"]').innerText(), /good-vae.safetensors\s+Queued/);
    assert.match(await page.locator('#add-batch tr[data-index="1"]').innerText(), /Already (downloaded|in the queue)/);
    await shot(page, '05-batch-accepted');
    assert.deepEqual(page.problems(), []);
  });

  it('shows the preview, searches and copies a SHA-256 in the library', T, async () => {
    await until(async () => (await call(fixture, 'GET', 'api/completed')).json.jobs.some((j) => j.preview), 'the preview sidecar');
    await page.locator('#nav [data-view="library"]').click();
    const image = page.getByRole('img', { name: `Preview of ${FLUX}` });
    await image.waitFor();
    await until(() => image.evaluate((img) => img.complete && img.naturalWidth > 0), 'the preview to be drawn');
    await page.getByRole('button', { name: `Copy SHA-256 of ${FLUX}` }).click();
    await page.locator('#toasts', { hasText: 'SHA-256 copied' }).waitFor();
    const sha = (await call(fixture, 'GET', 'api/completed')).json.jobs.find((j) => j.filename === FLUX).sha256;
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), sha);
    const card = page.locator(`#library-body article.model[aria-label="${FLUX}"]`);
    assert.match(await card.locator('.source').innerText(), /^Downloaded from Civitai, model \d+$/);
    assert.equal(await card.getByRole('link', { name: `Find ${FLUX} on Civitai` }).count(), 0, 'its model is known');
    await shot(page, '06-library-preview');

    await page.getByLabel('Search by file name').fill('no-such-model');
    await page.getByText('No library file matches.').waitFor();
    await page.getByLabel('Search by file name').fill('STORYBOOK');
    await image.waitFor();
    await page.getByRole('search').getByLabel('Model type').selectOption('vae');
    await page.getByText('No library file matches.').waitFor();
    await page.getByRole('search').getByLabel('Model type').selectOption('');
    assert.deepEqual(page.problems(), []);
  });

  it('draws the metrics chart', T, async () => {
    await page.locator('#nav [data-view="metrics"]').click();
    const chart = page.locator('svg.chart');
    await chart.waitFor();
    assert.match(await chart.getAttribute('aria-label'), /Completed downloads and bytes per day/);
    const tallest = await chart.locator('rect.bar-count').evaluateAll((bars) => Math.max(...bars.map((b) => Number(b.getAttribute('height')))));
    assert.ok(tallest > 0, 'today has a bar');
    assert.ok(Number(await tile('Completed').innerText()) >= 1);
    await shot(page, '07-metrics');
    assert.deepEqual(page.problems(), []);
  });

  it('runs an update check now and changes a model\'s policy', T, async () => {
    await page.locator('#nav [data-view="updates"]').click();
    await tile('Last check').filter({ hasText: 'never' }).waitFor();
    await page.getByRole('button', { name: 'Check now' }).click();
    await tile('Models checked').filter({ hasText: /^1$/ }).waitFor({ timeout: 30_000 });
    await page.locator('tr[data-model-id="1231067"] .badge', { hasText: 'Up to date' }).waitFor();
    const policy = page.getByLabel(/Update policy for/);
    assert.equal(await policy.inputValue(), 'auto');
    await policy.selectOption('pin');
    await page.locator('#toasts', { hasText: 'Pin: never check' }).waitFor();
    const models = (await call(fixture, 'GET', 'api/updates/policies')).json.models;
    assert.equal(models.find((m) => m.model_id === 1231067).update, 'pin');
    await shot(page, '08-updates');
    assert.deepEqual(page.problems(), []);
  });

  it('shows when it is offline, and catches up when it is back', T, async () => {
    await page.locator('#nav [data-view="queue"]').click();
    await showAll();
    await page.context().setOffline(true);
    await page.locator('#connection[data-state="offline"]').waitFor();
    assert.equal(await page.locator('#connection').innerText(), 'Offline');
    const id = await addUrl(fixture.big[2], 'while-offline.safetensors', 'vae'); // added by someone else meanwhile
    await shot(page, '09-offline');
    await page.context().setOffline(false);
    await page.locator('#connection[data-state="live"]').waitFor();
    await row('while-offline.safetensors').waitFor();
    await call(fixture, 'POST', `api/jobs/${id}/cancel`);
    await badge('while-offline.safetensors', 'Cancelled');

    // a gap the daemon can no longer replay: it sends `reset`, and the page refetches
    await page.route(/\/api\/events/, (route) => route.continue({ headers: { ...route.request().headers(), 'last-event-id': 'gone' } }));
    await page.context().setOffline(true);
    await page.locator('#connection[data-state="offline"]').waitFor();
    await page.context().setOffline(false);
    await page.locator('#toasts', { hasText: 'the page was reloaded from the daemon' }).waitFor();
    await page.locator('#connection[data-state="live"]').waitFor();
    await page.unroute(/\/api\/events/);
    assert.deepEqual(page.problems().filter((p) => !p.includes('ERR_INTERNET_DISCONNECTED')), []);
  });

  it('fits a 375 px phone, and follows a dark system theme', T, async () => {
    await addUrl(fixture.big[3], 'big-4-with-a-rather-long-file-name-for-a-phone-screen.safetensors', 'lora');
    const phone = await open(browser, fixture, { width: 375, height: 812 });
    await phone.goto(fixture.gui);
    await phone.locator('article.job').first().waitFor();
    for (const view of ['queue', 'add', 'library', 'metrics', 'updates']) {
      await phone.goto(`${fixture.gui}#${view}`);
      await phone.locator(`#view-${view}:not([hidden])`).waitFor();
      await phone.locator('.spinner-border').waitFor({ state: 'detached' });
      if (view === 'library') await phone.getByRole('img', { name: `Preview of ${FLUX}` }).waitFor();
      const width = await phone.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 375, `${view} is ${width} px wide`);
      await shot(phone, `09-phone-${view}`);
    }
    assert.deepEqual(phone.problems(), []);

    const dark = await open(browser, fixture, { colorScheme: 'dark' });
    await dark.goto(fixture.gui);
    await dark.locator('article.job').first().waitFor();
    assert.equal(await dark.evaluate(() => document.documentElement.dataset.bsTheme), 'dark');
    await shot(dark, '09-dark-queue');
    await dark.goto(`${fixture.gui}#metrics`);
    await dark.locator('svg.chart').waitFor();
    await shot(dark, '09-dark-metrics');
    assert.deepEqual(dark.problems(), []);
  });
});
