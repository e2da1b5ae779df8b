// The Library tab on a library seeded with files no download wrote (E2eFixture's --library): every indexed file
// listed and filtered, an identified file adopted into manifest.json, a duplicate pair replaced by a hard link
// from the Duplicates view; and, on a daemon with tokens, a viewer who sees the lists but none of those controls.
// Tests in order, one daemon for the first three.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startFixture, launch, open, shot, call, until } from './harness.mjs';

const T = { timeout: 120_000 };
const IDENTIFIED = 'flux-found-on-disk.safetensors';
const UNKNOWN = ['dup-a.safetensors', 'dup-b.safetensors', 'mystery-lora.safetensors', 'mystery-vae.safetensors'];
let browser;

const cardNames = (page) => page.locator('#library-body article.model').evaluateAll((cards) =>
  cards.map((c) => c.getAttribute('aria-label')).sort());

async function openLibrary(page, fixture) {
  await page.goto(`${fixture.gui}#library`);
  await page.locator('#view-library:not([hidden])').waitFor();
  await page.locator('#connection[data-state="live"]').waitFor();
  await page.locator('#library-body article.model').first().waitFor();
}

describe('the library tab', () => {
  let fixture;
  let page;
  before(async () => {
    fixture = await startFixture({ library: true });
    browser = await launch();
    page = await open(browser, fixture);
  });
  after(async () => {
    await browser?.close();
    await fixture?.stop();
  });

  it('lists every indexed file, downloaded or not, and narrows to the unidentified ones', T, async () => {
    assert.equal((await call(fixture, 'GET', 'api/completed')).json.jobs.length, 0, 'nothing was downloaded');
    await openLibrary(page, fixture);
    await page.locator('#library-count', { hasText: '5 of 5 files' }).waitFor();
    assert.deepEqual(await cardNames(page), [...UNKNOWN, IDENTIFIED].sort());

    const flux = page.locator(`article.model[aria-label="${IDENTIFIED}"]`);
    assert.equal(await flux.locator('.identity').innerText(), 'Identified on Civitai');
    const link = flux.locator('.source a');
    assert.equal(await link.getAttribute('href'),
      `https://civitai.com/models/${fixture.workflow.identified_model_id}?modelVersionId=${fixture.workflow.identified_version_id}`);
    assert.equal(await flux.getByRole('link', { name: /Find .* on Civitai/ }).count(), 0, 'Civitai knows it already');

    const mystery = page.locator('article.model[aria-label="mystery-lora.safetensors"]');
    assert.equal(await mystery.locator('.identity').innerText(), 'Not identified');
    assert.equal(await mystery.locator('.source').innerText(), 'On disk');
    assert.match(await mystery.locator('.folder').innerText(), /^loras in .*comfy\/models$/);
    const sha = (await call(fixture, 'GET', 'api/library?q=mystery-lora')).json.files[0].sha256;
    assert.equal(await mystery.getByRole('link', { name: 'Find mystery-lora.safetensors on Civitai' }).getAttribute('href'),
      `https://civitai.com/search/models?query=${sha}`);
    await shot(page, '40-library-all');

    await page.getByLabel('Which files').selectOption('unidentified');
    await page.locator('#library-count', { hasText: '4 of 4 files' }).waitFor();
    assert.deepEqual(await cardNames(page), UNKNOWN);
    await page.getByLabel('Which files').selectOption('duplicates');
    await page.locator('#library-count', { hasText: '2 of 2 files' }).waitFor();
    assert.deepEqual(await cardNames(page), UNKNOWN.slice(0, 2));
    await page.getByLabel('Which files').selectOption('');
    await page.getByLabel('Search by file name').fill('MYSTERY');
    await page.locator('#library-count', { hasText: '2 of 2 files' }).waitFor();
    await page.getByRole('search').getByLabel('Model type').selectOption('vae');
    await page.locator('#library-count', { hasText: '1 of 1 file' }).waitFor();
    await page.getByRole('search').getByLabel('Model type').selectOption('');
    await page.getByLabel('Search by file name').fill('');
    await page.getByLabel('Sort by').selectOption('size');
    await until(async () => (await cardNames(page)).length === 5 && await page.locator('#library-body article.model')
      .first().getAttribute('aria-label') === IDENTIFIED, 'the largest file first');
    assert.deepEqual(page.problems(), []);
  });

  it('adopts an identified file: its manifest entry appears and the card says so', T, async () => {
    const flux = page.locator(`article.model[aria-label="${IDENTIFIED}"]`);
    assert.equal(await flux.locator('.tracked').count(), 0);
    await flux.getByRole('button', { name: `Adopt ${IDENTIFIED}` }).click();
    await page.locator('#library-answer', { hasText: 'Adopted 1 file into manifest.json (updates: notify).' }).waitFor();
    await flux.locator('.tracked', { hasText: 'In the manifest' }).waitFor();
    assert.equal(await flux.getByRole('button', { name: `Adopt ${IDENTIFIED}` }).count(), 0, 'adopted once');

    const policies = (await call(fixture, 'GET', 'api/updates/policies')).json.models;
    assert.deepEqual(policies.map((m) => [m.model_id, m.update]), [[fixture.workflow.identified_model_id, 'notify']]);
    const manifest = JSON.parse(readFileSync(path.join(fixture.dir, 'manifest.json'), 'utf8'));
    assert.equal(manifest.length, 1);
    assert.equal(manifest[0].adopted, true);
    assert.equal(manifest[0].path, path.join(fixture.workflow.models, 'lora', IDENTIFIED));

    await page.getByRole('button', { name: 'Adopt all identified' }).click();
    await page.locator('#library-answer', { hasText: 'Nothing new was adopted. 1 was in the manifest already.' }).waitFor();
    await shot(page, '41-library-adopted');
    assert.deepEqual(page.problems(), []);
  });

  it('says in words why the daemon would not adopt, never its raw answer', T, async () => {
    const file = path.join(fixture.dir, 'manifest.json');
    const saved = readFileSync(file, 'utf8');
    writeFileSync(file, '[{"civitai": ');
    try {
      await page.getByRole('button', { name: 'Adopt all identified' }).click();
      const alert = page.locator('#library-answer [role="alert"]');
      await alert.waitFor();
      assert.match(await alert.innerText(), /^Could not adopt: .+; fix it, then adopt again$/);
      assert.doesNotMatch(await alert.innerText(), /[{}]|manifest_invalid/);
    } finally {
      writeFileSync(file, saved);
    }
    // the browser logs the refusal the test asked for
    assert.deepEqual(page.problems().filter((p) => !/status of 409 \(/.test(p)), []);
    page.problems().length = 0;
  });

  it('shows the duplicates with the space they waste, and keeps one by a hard link', T, async () => {
    const { duplicate_sha256: sha, models } = fixture.workflow;
    const a = path.join(models, 'checkpoint', 'dup-a.safetensors');
    const b = path.join(models, 'checkpoint', 'dup-b.safetensors');
    assert.notEqual(statSync(a).ino, statSync(b).ino);
    await page.getByRole('button', { name: 'Duplicates', exact: true }).click();
    const group = page.locator(`#dupes-body article.dupe-group[data-sha256="${sha}"]`);
    await group.waitFor();
    assert.equal(await page.locator('.dupes-total').innerText(), '1 group of duplicates waste 293 KiB.');
    assert.equal(await group.locator('.wasted').innerText(), '293 KiB wasted');
    assert.deepEqual(await group.locator('li .path').allInnerTexts(), [a, b]);
    await shot(page, '42-library-duplicates');

    await group.getByRole('button', { name: `Keep ${a}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Keep this copy?' });
    await dialog.getByText(a).waitFor();
    await dialog.getByRole('button', { name: 'Keep this one' }).click();
    const answer = page.locator('#dupes-answer .dedupe-answer');
    await answer.waitFor();
    assert.match(await answer.innerText(), new RegExp(`Kept ${a}; 293 KiB freed\\.`));
    assert.equal(await answer.locator('li[data-action="linked"]').innerText(), `${b}: replaced by a hard link to the kept copy`);
    await page.locator('#dupes-body', { hasText: 'No duplicates' }).waitFor();
    assert.equal(statSync(a).ino, statSync(b).ino, 'one inode now');
    assert.equal((await call(fixture, 'GET', 'api/library/duplicates')).json.wasted_bytes, 0);
    await shot(page, '43-library-deduped');
    assert.deepEqual(page.problems(), []);
  });

  it('says which Hugging Face repository and commit a downloaded file came from', T, async () => {
    const { hub_vae_url: url, hub_vae_commit: commit } = fixture.workflow;
    const queued = await call(fixture, 'POST', 'api/download', { url, model_type: 'vae' });
    assert.equal(queued.status, 202, JSON.stringify(queued.json));
    await page.getByRole('button', { name: 'Files', exact: true }).click();
    const card = page.locator('#library-body article.model[aria-label="tiny-vae.safetensors"]');
    await card.waitFor();
    await card.locator('.source', { hasText: 'Downloaded from Hugging Face e2e-org/tiny-vae @ ' }).waitFor();
    assert.match(await card.locator('.source').innerText(), new RegExp(` @ ${commit.slice(0, 10)}$`), "the commit the branch pointed at");
    assert.equal(await page.locator('#library-body article.model[aria-label="mystery-vae.safetensors"] .source').innerText(), 'On disk');
    await shot(page, '45-library-hub-download');
    assert.deepEqual(page.problems(), []);
  });
});

describe('the library tab for a viewer', () => {
  let fixture;
  before(async () => {
    fixture = await startFixture({ library: true, jwt: true });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await fixture?.stop();
  });

  it('shows the files and the duplicates, with no control that changes anything', T, async () => {
    const page = await open(browser, fixture, {
      storage: `sessionStorage.setItem('civitai-daemon.token', ${JSON.stringify(fixture.tokens.viewer)});`,
    });
    await openLibrary(page, fixture);
    await page.locator('#library-count', { hasText: '5 of 5 files' }).waitFor();
    assert.equal(await page.locator('#role').innerText(), 'viewer (read only)');
    assert.equal(await page.getByRole('link', { name: 'Find mystery-lora.safetensors on Civitai' }).count(), 1, 'a link is not a change');
    assert.equal(await page.getByRole('button', { name: `Adopt ${IDENTIFIED}` }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Adopt all identified' }).isVisible(), false);

    await page.getByRole('button', { name: 'Duplicates', exact: true }).click();
    await page.locator('#dupes-body article.dupe-group').waitFor();
    assert.equal(await page.locator('.dupes-total').innerText(), '1 group of duplicates waste 293 KiB.');
    assert.equal(await page.getByRole('button', { name: 'Keep this one' }).count(), 0);
    assert.equal(await page.locator('#dupes-body button').count(), 0);
    await shot(page, '44-library-viewer');
    assert.deepEqual(page.problems(), []);
  });
});
