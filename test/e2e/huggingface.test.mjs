// The Add tab with a Hugging Face link (E2eFixture's --hub: hf_endpoint at a fake Hub with a public VAE, a
// git-stored file beside it and a gated repo): the link is resolved first and its commit, size and SHA-256 shown,
// nothing queued until "Queue it"; a gated repo's refusal is a sentence and queues nothing. huggingface.co links go
// through hf_endpoint, and links on hf_endpoint's own host (a mirror) are Hub links too; the browser only ever
// talks to the daemon.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture, launch, open, shot, call, until } from './harness.mjs';

const T = { timeout: 120_000 };
let browser;
let fixture;
let page;

/** Every job the daemon has, of any state. */
async function jobs() {
  const answer = await call(fixture, 'GET', 'api/jobs?limit=500');
  assert.equal(answer.status, 200, JSON.stringify(answer.json));
  return answer.json.jobs;
}

async function openAdd() {
  page.problems().splice(0); // each test answers for its own
  await page.goto(`${fixture.gui}#add`);
  await page.locator('#view-add:not([hidden])').waitFor();
  await page.locator('#connection[data-state="live"]').waitFor();
}

describe('a Hugging Face link on the Add tab', () => {
  before(async () => {
    fixture = await startFixture({ hub: true });
    browser = await launch();
    page = await open(browser, fixture);
  });
  after(async () => {
    await browser?.close();
    await fixture?.stop();
  });

  it('shows the resolved commit, size and SHA-256 first, and queues the pinned file on "Queue it"', T, async () => {
    const { repo, path, commit, size, sha256 } = fixture.hub;
    await openAdd();
    const form = page.locator('#add-ref');
    await page.getByLabel('Civitai link, AIR or id').fill(`https://huggingface.co/${repo}/blob/main/${path}?download=true`);
    await form.getByLabel('Model type').selectOption('vae');
    await form.getByRole('button', { name: 'Add', exact: true }).click();

    const preview = form.getByRole('region', { name: 'From Hugging Face: ae.safetensors' });
    await preview.waitFor();
    assert.equal(await preview.locator('.repo').innerText(), repo);
    assert.equal(await preview.locator('.path').innerText(), path);
    const shortCommit = preview.locator('.commit code');
    assert.equal(await shortCommit.innerText(), commit.slice(0, 12));
    assert.equal(await shortCommit.getAttribute('title'), commit, 'the full commit in its tooltip');
    assert.equal(await preview.locator('.size').innerText(), '2.00 MiB');
    assert.equal(size, 2 << 20);
    assert.equal(await preview.locator('code.sha256').innerText(), sha256);
    assert.equal(await preview.getByRole('button', { name: 'Copy the SHA-256' }).count(), 1);
    await preview.getByText('Verified by the Hub\'s SHA-256, pinned to this commit.').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.classList.contains('hub-preview')), true,
      'the preview takes the focus');
    assert.deepEqual(await jobs(), [], 'a preview queues nothing');
    await shot(page, '50-hub-preview');

    await preview.getByRole('button', { name: 'Cancel' }).click();
    await preview.waitFor({ state: 'detached' });
    assert.deepEqual(await jobs(), [], 'Cancel queues nothing');

    await form.getByRole('button', { name: 'Add', exact: true }).click();
    await preview.getByRole('button', { name: 'Queue it' }).click();
    await form.locator('.alert-success', { hasText: 'Queued: vae/ae.safetensors' }).waitFor();
    const [job] = await jobs();
    assert.ok(job, 'one job now');
    assert.match(job.url, new RegExp(`/${repo}/resolve/${commit}/${path}$`), 'the job is pinned to the commit');
    const done = await until(async () => {
      const answer = (await call(fixture, 'GET', `api/jobs/${job.id}`)).json.job;
      assert.notEqual(answer.state, 'failed', JSON.stringify(answer));
      return answer.state === 'completed' && answer;
    }, 'the job to complete', 60_000);
    assert.equal(done.sha256, sha256);
    assert.deepEqual(page.problems(), []);
  });

  it('takes a link on hf_endpoint\'s own host (a mirror) as a Hub link, in either form', T, async () => {
    const { endpoint, repo, path, commit } = fixture.hub;
    await openAdd();
    const before = (await jobs()).length;
    const ref = page.locator('#add-ref');
    await page.getByLabel('Civitai link, AIR or id').fill(`${endpoint}/${repo}/blob/main/${path}`);
    await ref.getByLabel('Model type').selectOption('vae');
    await ref.getByRole('button', { name: 'Add', exact: true }).click();
    const preview = ref.getByRole('region', { name: 'From Hugging Face: ae.safetensors' });
    await preview.waitFor();
    assert.equal(await preview.locator('.commit code').getAttribute('title'), commit);
    await preview.getByRole('button', { name: 'Cancel' }).click();
    await preview.waitFor({ state: 'detached' });

    const url = page.locator('#add-url');
    await url.getByLabel('File URL').fill(`${endpoint}/${repo}/resolve/main/${path}`);
    await url.getByLabel('Model type').fill('vae');
    await url.getByRole('button', { name: 'Add URL' }).click();
    const direct = url.getByRole('region', { name: 'From Hugging Face: ae.safetensors' });
    await direct.waitFor();
    assert.equal(await direct.locator('.repo').innerText(), repo);
    await direct.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await jobs()).length, before, 'a preview queues nothing');
    assert.deepEqual(page.problems(), []);
  });

  it('shows a git-stored file as checked against its git SHA-1, and queues it verified by its SHA-256', T, async () => {
    const { repo, git_path: path, git_sha256: sha256 } = fixture.hub;
    await openAdd();
    const form = page.locator('#add-ref');
    await page.getByLabel('Civitai link, AIR or id').fill(`https://huggingface.co/${repo}/blob/main/${path}`);
    await form.getByLabel('Model type').selectOption('vae');
    await form.getByRole('button', { name: 'Add', exact: true }).click();
    const preview = form.getByRole('region', { name: 'From Hugging Face: config.json' });
    await preview.waitFor();
    assert.equal(await preview.locator('code.sha256').innerText(), sha256);
    await preview.getByText('Kept in git: the daemon read it, checked it against the Hub\'s git SHA-1, and verifies'
      + ' the download by its SHA-256, pinned to this commit.').waitFor();
    await shot(page, '52-hub-git-file');
    await preview.getByRole('button', { name: 'Queue it' }).click();
    await form.locator('.alert-success', { hasText: 'Queued: vae/config.json' }).waitFor();
    const job = (await jobs()).find((j) => j.filename === 'config.json');
    assert.equal(job.expected_sha256, sha256, 'the job expects the SHA-256 of the checked bytes');
    const done = await until(async () => {
      const answer = (await call(fixture, 'GET', `api/jobs/${job.id}`)).json.job;
      assert.notEqual(answer.state, 'failed', JSON.stringify(answer));
      return answer.state === 'completed' && answer;
    }, 'the job to complete', 60_000);
    assert.equal(done.sha256, sha256);
    assert.deepEqual(page.problems(), []);
  });

  it('says a gated repo is gated, in a sentence, and queues nothing', T, async () => {
    const { gated_repo: repo, gated_path: path } = fixture.hub;
    await openAdd();
    const before = (await jobs()).length;
    const form = page.locator('#add-url');
    await form.getByLabel('File URL').fill(`https://huggingface.co/${repo}/resolve/main/${path}`);
    await form.getByLabel('Model type').fill('checkpoint');
    await form.getByRole('button', { name: 'Add URL' }).click();
    const alert = form.getByRole('alert');
    await alert.waitFor();
    assert.equal(await alert.innerText(), `This repository is gated. Accept the licence at https://huggingface.co/${repo} and set hf_token.`);
    assert.equal(await alert.getByRole('link').getAttribute('href'), `https://huggingface.co/${repo}`);
    assert.equal(await form.getByRole('button', { name: 'Queue it' }).count(), 0);
    assert.equal((await jobs()).length, before, 'nothing was queued');
    await shot(page, '51-hub-gated');
    // "400 (Bad Request)" over HTTP/1.1, "400 ()" over HTTP/2: the browser logs the refusal the test asked for
    assert.deepEqual(page.problems().filter((p) => !/status of 400 \(/.test(p)), []);
  });
});
