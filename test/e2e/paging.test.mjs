// Thousands of queued jobs: the Queue shows one page of 50 at a time and never asks for them all.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture, launch, open, shot, call } from './harness.mjs';

const JOBS = 2000;
let fixture;
let browser;

describe('a long queue', () => {
  before(async () => {
    fixture = await startFixture();
    browser = await launch();
    fixture.send('pace 65536'); // the few that start stay in progress while the test looks
    const entries = Array.from({ length: JOBS }, (_, i) => ({
      url: fixture.big[i % 4], model_type: 'checkpoint', filename: `many-${String(i).padStart(4, '0')}.safetensors`,
    }));
    const r = await call(fixture, 'POST', 'api/batch', entries);
    assert.equal(r.status, 202, JSON.stringify(r.json).slice(0, 300));
  });

  after(async () => {
    await browser?.close();
    await fixture?.stop();
  });

  it('pages through 2000 jobs 50 at a time', { timeout: 120_000 }, async () => {
    const page = await open(browser, fixture);
    const asked = [];
    page.on('request', (r) => { if (r.url().includes('/api/jobs')) asked.push(new URL(r.url()).searchParams.get('limit')); });
    await page.goto(fixture.gui);
    await page.locator('article.job').first().waitFor();
    assert.equal(await page.locator('article.job.is-queued').count(), 50);
    assert.match(await page.locator('article.job').first().getAttribute('class'), /is-(downloading|verifying)/,
      'what runs now is pinned on top of the first page');
    assert.equal(await page.locator('#queue-page').innerText(), '1–50');
    assert.match(await page.locator('label[for="filter-unfinished"]').innerText(), new RegExp(`\\(${JOBS}\\)`));
    await shot(page, '13-long-queue');

    await page.getByRole('button', { name: 'Older' }).click();
    await page.locator('#queue-page', { hasText: '51–100' }).waitFor();
    assert.equal(await page.locator('article.job').count(), 50, 'only the first page pins the running ones');
    const first = await page.locator('article.job').first().getAttribute('aria-label');
    await page.getByRole('button', { name: 'Older' }).click();
    await page.locator('#queue-page', { hasText: '101–150' }).waitFor();
    await page.getByRole('button', { name: 'Newer' }).click();
    await page.locator('#queue-page', { hasText: '51–100' }).waitFor();
    assert.equal(await page.locator('article.job').first().getAttribute('aria-label'), first, 'the same page again');
    await shot(page, '13-long-queue-page-2');

    await page.locator('label[for="filter-queued"]').click();
    await page.locator('#queue-page', { hasText: '1–50' }).waitFor();
    assert.ok(asked.length > 0 && asked.every((limit) => limit === '50'), `pages of 50 only: ${asked}`);
    assert.deepEqual(page.problems(), []);
  });
});
