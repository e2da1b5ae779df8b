// Room on disk, as the GUI shows it: a job too big for what min_free_space leaves waits in the queue saying what it
// needs and what is free, and can be cancelled; the Library tab shows each file system's free space, the disk use
// per model type and a scan's live progress.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, openSync, ftruncateSync, closeSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startFixture, launch, open, shot, call, until } from './harness.mjs';

const T = { timeout: 120_000 };
let fixture;
let browser;
let page;

describe('space', () => {
  before(async () => {
    fixture = await startFixture();
    browser = await launch();
    page = await open(browser, fixture);
    await page.goto(fixture.gui);
    await page.locator('#connection[data-state="live"]').waitFor();
  });

  after(async () => {
    await browser?.close();
    await fixture?.stop();
  });

  it('shows a job waiting for space with what it needs and what is free, and cancels it', T, async () => {
    // a file as large as all that is free now: it would leave nothing of the 2 GiB kept free, so it waits
    const disk = (await call(fixture, 'GET', 'api/status')).json.disk_space[0];
    const added = await call(fixture, 'POST', 'api/download',
      { url: fixture.big[0], model_type: 'checkpoint', filename: 'roomy.safetensors', size: disk.free_bytes });
    assert.equal(added.status, 202, JSON.stringify(added.json));
    const row = page.locator(`article.job[data-job-id="${added.json.job.id}"]`);
    await row.locator('.badge', { hasText: 'Waiting for space' }).waitFor({ timeout: 30_000 });
    const reason = await row.locator('.reason').innerText();
    assert.match(reason, new RegExp(`needs [\\d.]+ [KMGT]?i?B \\(${disk.free_bytes} bytes\\) and 2\\.0 GiB kept free \\(min_free_space\\), [\\d.]+ [KMGT]?i?B free`), reason);
    assert.match(await row.locator('.numbers').innerText(), /starts by itself once there is room/);
    assert.match(await row.locator('.size').innerText(), /^[\d.]+ GiB$/, 'the size it was added with');
    await page.locator('[data-count="waiting_space"]', { hasText: '(1)' }).waitFor();
    assert.match(await page.locator('label[for="filter-waiting_space"]').innerText(), /^Waiting for space\s*\(1\)$/);
    await shot(page, '30-waiting-for-space');

    // under All, so the cancelled row stays in the list (Unfinished, the default, drops it)
    await page.locator('label[for="filter-all"]').click();
    await page.locator('#queue-body[aria-busy="false"]').waitFor();
    await row.getByRole('button', { name: 'Cancel' }).click();
    await row.locator('.badge', { hasText: 'Cancelled' }).waitFor();
    const job = (await call(fixture, 'GET', `api/jobs/${added.json.job.id}`)).json.job;
    assert.equal(job.state, 'cancelled');
    assert.equal((await call(fixture, 'GET', 'api/status')).json.jobs.waiting_space ?? 0, 0);
    assert.deepEqual(page.problems(), []);
  });

  it('shows the free space and the disk use per type in the Library tab', T, async () => {
    const lora = path.join(fixture.dir, 'models', 'lora');
    mkdirSync(lora, { recursive: true });
    writeFileSync(path.join(lora, 'found-a.safetensors'), Buffer.alloc(3000, 1));
    writeFileSync(path.join(lora, 'found-b.safetensors'), Buffer.alloc(2000, 2));
    assert.equal((await call(fixture, 'POST', 'api/library/scan', {})).status, 202);
    await until(async () => {
      const s = (await call(fixture, 'GET', 'api/library/scan')).json;
      return !s.running && s.last?.files >= 2;
    }, 'the scan to index both files');

    await page.locator('#nav [data-view="library"]').click();
    const type = page.locator('#library-space tr[data-type="lora"]');
    await type.waitFor();
    assert.deepEqual(await type.locator('th, td').allInnerTexts(), ['lora', '2', '4.88 KiB']);
    const status = (await call(fixture, 'GET', 'api/status')).json;
    const disk = page.locator(`#library-space .disk[data-path="${status.disk_space[0].path}"]`);
    assert.match(await disk.locator('.free').innerText(), /^[\d.]+ [KMGT]?i?B free of [\d.]+ [KMGT]?i?B$/);
    assert.match(await disk.innerText(), /2\.00 GiB kept free/);
    assert.equal(await disk.getByRole('progressbar').count(), 1);
    assert.match(await page.locator('#library-scan').innerText(), /Last scan: \d+ files?, \d+ hashed, 0 missing/);
    await shot(page, '31-library-space');
    assert.deepEqual(page.problems(), []);
  });

  it('follows a library scan live, then shows how it ended', T, async () => {
    // a sparse file of 8 GiB: nothing on disk, but long enough to hash that the scan is seen running
    const big = path.join(fixture.dir, 'models', 'checkpoint', 'sparse.safetensors');
    mkdirSync(path.dirname(big), { recursive: true });
    const fd = openSync(big, 'w');
    ftruncateSync(fd, 8 * 2 ** 30);
    closeSync(fd);
    try {
      assert.equal((await call(fixture, 'POST', 'api/library/scan', {})).status, 202);
      const bar = page.locator('#library-scan').getByRole('progressbar', { name: 'Library scan' });
      await bar.waitFor({ timeout: 30_000 });
      assert.match(await page.locator('#library-scan').innerText(), /Scanning: hashed 0 of 1 file/);
      await shot(page, '32-library-scan-running');
      assert.equal((await call(fixture, 'DELETE', 'api/library/scan')).status, 200);
      await page.locator('#library-scan', { hasText: 'Last scan (cancelled)' }).waitFor({ timeout: 30_000 });
      assert.equal(await bar.count(), 0);
    } finally {
      rmSync(big, { force: true });
    }
    assert.deepEqual(page.problems(), []);
  });
});
