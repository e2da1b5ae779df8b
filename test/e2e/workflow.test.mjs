// A workflow in, on the Add view: real ComfyUI workflows (test/resources/workflows, sources in its SOURCES.md)
// picked, dropped or carried by a PNG, and pasted A1111 parameters, planned against a seeded library on the
// comfyui layout; "Download all missing" fetches the default workflow's checkpoint from a fake Hugging Face
// Hub and the row follows its job to the end; then each row's own action (link the library's copy here, a
// folder and a link for a node the loader table does not know, download this one). One daemon for the file,
// tests in order (the rows' actions change the library, so they come last).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import path from 'node:path';
import { startFixture, launch, open, shot, call, until, ROOT } from './harness.mjs';

const FIXTURES = path.join(ROOT, 'test', 'resources', 'workflows');
const CHECKPOINT = 'v1-5-pruned-emaonly-fp16.safetensors';
const SEEDED = 'sd15/realisticVisionV51_v51VAE.safetensors';
const CLIP_VISION = 'CLIP-ViT-H-14-laion2B-s32B-b79K.safetensors';
// the fake Hub has this file (the default workflow's checkpoint): the daemon reaches it through hf_endpoint
const HUB_URL = `https://huggingface.co/Comfy-Org/stable-diffusion-v1-5-archive/resolve/main/${CHECKPOINT}`;
const T = { timeout: 120_000 };
let fixture;
let browser;
let page;

const plan = () => page.locator('#add-workflow-plan');
const row = (name) => plan().locator(`tbody tr[data-name="${name}"]`);
const cell = (name, which) => row(name).locator(`td.${which}`);

/** The plan's rows as [name, decision, folder, status words], in the table's order. */
async function rows() {
  return plan().locator('tbody tr[data-name]').evaluateAll((trs) => trs.map((tr) => [tr.dataset.name, tr.dataset.decision,
    tr.querySelector('td.folder').textContent, tr.querySelector('.decision').textContent]));
}

/** A ComfyUI UI workflow of these nodes, pasted and checked. */
async function paste(nodes) {
  await page.getByLabel('Or paste the workflow JSON or the parameters text').fill(JSON.stringify({ nodes }));
  await page.getByRole('button', { name: 'Check the pasted text' }).click();
}

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

/** Drops a file on the workflow box as a browser does: a drop event whose DataTransfer holds the file. */
async function drop(name, content, type) {
  const transfer = await page.evaluateHandle(({ name, bytes, type }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(bytes)], name, { type }));
    return dt;
  }, { name, bytes: [...content], type });
  await page.locator('#add-workflow').dispatchEvent('dragover', { dataTransfer: transfer });
  await page.locator('#add-workflow.is-dragover').waitFor();
  await page.locator('#add-workflow').dispatchEvent('drop', { dataTransfer: transfer });
}

/** PNG's CRC-32 (zlib.crc32 is too new for some node versions). */
function crc32(bytes) {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** A 1×1 PNG carrying `text` in a tEXt chunk under `keyword`, as ComfyUI saves its workflow. */
function pngWith(keyword, text) {
  const chunk = (kind, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(kind, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]); // 1×1, 8-bit greyscale
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header),
    chunk('tEXt', Buffer.concat([Buffer.from(`${keyword}\0`, 'latin1'), Buffer.from(text, 'utf8')])),
    chunk('IDAT', deflateSync(Buffer.from([0, 0]))), chunk('IEND', Buffer.alloc(0))]);
}

describe('a workflow in, on the Add view', () => {
  before(async () => {
    fixture = await startFixture({ workflow: true });
    browser = await launch();
    page = await open(browser, fixture);
  });

  after(async () => {
    await browser?.close();
    await fixture?.stop();
  });

  it('plans a picked workflow: present, needs a choice (with the candidates), not found (with its target)', T, async () => {
    await openAdd();
    await page.getByLabel('Workflow file or picture').setInputFiles(path.join(FIXTURES, 'ipadapter_advanced.json'));
    await page.locator('#add-workflow-summary', { hasText: '3 models in ipadapter_advanced.json: 1 present, 1 needing a choice, 1 not found.' }).waitFor();
    assert.deepEqual(await rows(), [
      [SEEDED, 'present', 'checkpoints', 'Present'],
      ['ip-adapter-plus_sd15.safetensors', 'not_found', 'ipadapter', 'Not found'],
      [CLIP_VISION, 'ambiguous', 'clip_vision', 'Needs a choice'],
    ]);
    assert.deepEqual(await plan().locator('thead th').allInnerTexts(), ['Model', 'Folder', 'Status', 'Size', 'Source', 'Actions']);
    await cell(SEEDED, 'size').filter({ hasText: '39.1 KiB' }).waitFor(); // the library's 40 000 bytes
    assert.equal(await page.getByRole('button', { name: 'Download all missing' }).count(), 0, 'nothing to download');

    const missing = 'ip-adapter-plus_sd15.safetensors';
    assert.equal(await cell(missing, 'status').locator('.reason').innerText(), 'A name alone, and no library file has it');
    const details = page.getByRole('button', { name: `Details of ${missing}` });
    await details.click();
    assert.equal(await details.getAttribute('aria-expanded'), 'true');
    const target = page.locator(`#${await details.getAttribute('aria-controls')}`);
    assert.equal(await target.locator('dd code').first().innerText(), `${fixture.dir}/models/models/ipadapter/${missing}`);
    await target.getByRole('button', { name: 'Add it from Civitai…' }).click();
    // the daemon has no type for IPAdapter's own folder: Civitai's word decides
    assert.equal(await page.getByLabel('Model type').first().inputValue(), '');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'add-ref-text');

    await page.getByRole('button', { name: `Details of ${CLIP_VISION}` }).click();
    const candidates = plan().locator('.candidates li');
    await candidates.nth(1).waitFor();
    assert.deepEqual((await candidates.allInnerTexts()).sort(), [
      `${fixture.dir}/models/models/clip_vision/new/${CLIP_VISION} (30.3 KiB)`,
      `${fixture.dir}/models/models/clip_vision/old/${CLIP_VISION} (29.3 KiB)`,
    ]);
    await shot(page, '20-workflow-plan');
    assert.deepEqual(page.problems(), []);
  });

  it('drops ComfyUI\'s default workflow, downloads all missing, and the row follows its job live', T, async () => {
    await openAdd();
    await drop('default.json', readFileSync(path.join(FIXTURES, 'default.json')), 'application/json');
    await page.locator('#add-workflow-summary', { hasText: '1 model in default.json: 1 to download.' }).waitFor();
    assert.deepEqual(await rows(), [[CHECKPOINT, 'download', 'checkpoints', 'Will download']]);
    const link = cell(CHECKPOINT, 'source').getByRole('link', { name: 'huggingface.co' });
    assert.match(await link.getAttribute('href'), /^https:\/\/huggingface\.co\/Comfy-Org\/stable-diffusion-v1-5-archive\/resolve\/main\//);
    assert.equal(await cell(CHECKPOINT, 'size').innerText(), '—', 'unknown until it is queued: the plan fetches nothing');
    await shot(page, '21-workflow-to-download');

    // the daemon's 3 workers busy with slow files: the checkpoint waits its turn, seen as queued first
    const busy = [];
    for (let i = 0; i < 3; i++) {
      const r = await call(fixture, 'POST', 'api/download', { url: fixture.big[i], model_type: 'checkpoint', filename: `busy-${i}.safetensors` });
      assert.equal(r.status, 202, JSON.stringify(r.json));
      busy.push(r.json.job.id);
    }
    await page.getByRole('button', { name: 'Download all missing' }).click();
    await page.locator('#add-workflow-status .alert-success', { hasText: 'Queued 1 download' }).waitFor();
    const job = cell(CHECKPOINT, 'status').locator('.plan-job');
    const id = Number((await job.getByRole('link').innerText()).replace('Job ', ''));
    assert.ok(id > 0);
    assert.equal(await job.locator('.job-state').innerText(), 'Queued');
    assert.equal((await call(fixture, 'GET', `api/jobs/${id}`)).json.job.state, 'queued');
    await page.evaluate(() => { window.notReloaded = true; });
    for (const other of busy) assert.equal((await call(fixture, 'POST', `api/jobs/${other}/cancel`)).status, 200);
    await cell(CHECKPOINT, 'status').locator('.plan-job[data-state="completed"]').waitFor({ timeout: 60_000 });
    assert.equal(await page.evaluate(() => window.notReloaded), true, 'followed in place, by the event stream');
    assert.equal(await job.locator('.job-state').innerText(), 'Completed');
    assert.equal(await cell(CHECKPOINT, 'size').innerText(), '3.00 MiB');
    assert.equal(await page.getByRole('button', { name: 'Download all missing' }).count(), 0, 'queued once');
    await shot(page, '21-workflow-downloaded');
    const answer = await call(fixture, 'GET', `api/jobs/${id}`);
    assert.equal(answer.json.job.state, 'completed');
    assert.equal(answer.json.job.expected_sha256, fixture.workflow.hub_checkpoint_sha256, 'verified by the Hub\'s SHA-256');

    await job.getByRole('link').click();
    await page.locator('#view-queue:not([hidden])').waitFor();
    await page.locator('label[for="filter-all"]').click();
    await page.locator(`article.job[aria-label="${CHECKPOINT}"] .badge`, { hasText: 'Completed' }).waitFor();
    assert.deepEqual(page.problems(), []);
  });

  it('reads the workflow a dropped PNG carries', T, async () => {
    await openAdd();
    const png = pngWith('workflow', readFileSync(path.join(FIXTURES, 'ipadapter_advanced.json'), 'utf8'));
    await drop('ComfyUI_00001_.png', png, 'image/png');
    await page.locator('#add-workflow-summary', { hasText: '3 models in ComfyUI_00001_.png' }).waitFor();
    assert.deepEqual((await rows()).map(([name, decision]) => [name, decision]), [
      [SEEDED, 'present'], ['ip-adapter-plus_sd15.safetensors', 'not_found'], [CLIP_VISION, 'ambiguous']]);
    assert.deepEqual(page.problems(), []);
  });

  it('plans pasted A1111 parameters: the checkpoint found by its hash; a LoRA hash Civitai does not know, said so', T, async () => {
    await openAdd();
    const autoV2 = fixture.workflow.seeded_checkpoint_sha256.slice(0, 10);
    await page.getByLabel('Or paste the workflow JSON or the parameters text').fill([
      'a watercolour fox in the snow <lora:pp-storybook:0.8>',
      'Negative prompt: blurry',
      `Steps: 20, Sampler: DPM++ 2M, CFG scale: 7, Seed: 42, Size: 512x768, Model hash: ${autoV2}, `
        + 'Model: realisticVisionV51_v51VAE, Lora hashes: "pp-storybook: 0123456789ab", Version: v1.10.1',
    ].join('\n'));
    await page.getByRole('button', { name: 'Check the pasted text' }).click();
    await page.locator('#add-workflow-summary', { hasText: '2 models in the pasted text: 1 present, 1 to download.' }).waitFor();
    assert.deepEqual(await rows(), [
      ['realisticVisionV51_v51VAE', 'present_elsewhere', 'checkpoints', 'Present elsewhere'],
      ['pp-storybook', 'lookup_hash', 'loras', 'Will look up by hash'],
    ]);
    await cell('realisticVisionV51_v51VAE', 'size').filter({ hasText: '39.1 KiB' }).waitFor();
    assert.equal(await cell('realisticVisionV51_v51VAE', 'source').innerText(), `Hash ${autoV2}`);
    await page.getByRole('button', { name: 'Details of realisticVisionV51_v51VAE' }).click();
    await plan().locator('dd', { hasText: `Same hash at ${fixture.dir}/models/models/checkpoints/${SEEDED}` }).waitFor();
    await shot(page, '22-workflow-a1111');

    await page.getByRole('button', { name: 'Download all missing' }).click();
    await page.locator('#add-workflow-status', { hasText: 'Nothing new was queued: each row below says why.' }).waitFor();
    assert.match(await cell('pp-storybook', 'status').locator('.queue-result').innerText(), /^Not queued: .+/);
    assert.equal(await cell('pp-storybook', 'status').locator('.decision').innerText(), 'Could not queue');
    assert.equal(await cell('realisticVisionV51_v51VAE', 'status').locator('.queue-result, .plan-job').count(), 0);
    await page.getByRole('button', { name: 'Details of pp-storybook' }).click();
    await plan().getByRole('button', { name: 'Add it from Civitai…' }).waitFor();
    await shot(page, '22-workflow-a1111-not-queued');
    assert.deepEqual(page.problems(), []);
  });

  it('says in words what the daemon refused, never its raw answer', T, async () => {
    await openAdd();
    await page.getByLabel('Or paste the workflow JSON or the parameters text').fill('hello there, this is no workflow');
    await page.getByRole('button', { name: 'Check the pasted text' }).click();
    const alert = page.locator('#add-workflow-status [role="alert"]');
    await alert.waitFor();
    assert.equal(await alert.innerText(), 'The daemon could not use the pasted text: not a ComfyUI workflow, a ComfyUI/A1111 PNG or'
      + ' A1111 parameters: no JSON object and no "Steps:" line');
    assert.equal(await plan().locator('table').count(), 0);
    await shot(page, '23-workflow-refused');
    // "400 (Bad Request)" over HTTP/1.1, "400 ()" over HTTP/2: the browser logs the refusal the test asked for
    assert.deepEqual(page.problems().filter((p) => !/status of 400 \(/.test(p)), []);
    assert.equal(page.problems().length, 1);
  });

  it('links a model the library has in another folder where the workflow looks: nothing is downloaded', T, async () => {
    await openAdd();
    const name = 'realisticVisionV51_v51VAE.safetensors';
    await paste([{ id: 3, type: 'CheckpointLoaderSimple', widgets_values: [name] }]);
    await page.locator('#add-workflow-summary', { hasText: '1 model in the pasted text: 1 present.' }).waitFor();
    assert.deepEqual(await rows(), [[name, 'present_elsewhere', 'checkpoints', 'Present elsewhere']]);
    assert.equal(await cell(name, 'size').innerText(), '39.1 KiB', 'the size the plan gives');
    const before = (await jobs()).length;

    const from = `${fixture.dir}/models/models/checkpoints/${SEEDED}`;
    const target = `${fixture.dir}/models/models/checkpoints/${name}`;
    await row(name).getByRole('button', { name: 'Link it here' }).click();
    await cell(name, 'status').locator('.queue-result', { hasText: 'Linked from' }).waitFor();
    assert.equal(await cell(name, 'status').locator('.queue-result').innerText(), `Linked from ${from}`);
    assert.equal(await cell(name, 'status').locator('.decision').innerText(), 'Present');
    assert.equal(await row(name).getByRole('button', { name: 'Link it here' }).count(), 0, 'linked once');
    assert.equal(await page.locator('#add-workflow-status').innerText(), `Linked ${name} from ${from}; nothing was downloaded.`);
    assert.equal(await page.evaluate(() => document.activeElement.classList.contains('status')), true, 'the answer has the focus');
    await shot(page, '24-workflow-linked');

    const library = await call(fixture, 'GET', `api/library?${new URLSearchParams({ q: name, state: 'present', limit: 100 })}`);
    const placed = library.json.files.find((f) => f.path === target);
    assert.ok(placed, `the library has ${target}: ${JSON.stringify(library.json.files.map((f) => f.path))}`);
    assert.equal(placed.size, 40_000);
    assert.equal((await jobs()).length, before, 'no download job was made');
    await page.getByRole('button', { name: 'Check the pasted text' }).click();
    await plan().locator(`tbody tr[data-name="${name}"][data-decision="present"]`).waitFor();
    assert.deepEqual(page.problems(), []);
  });

  it('queues a node the loader table does not know with the folder and link picked in its row, followed to the end', T, async () => {
    await openAdd();
    const name = 'my-custom-node-model.safetensors';
    await paste([{ id: 7, type: 'SomeCustomLoader', widgets_values: [name] }]);
    await page.locator('#add-workflow-summary', { hasText: '1 model in the pasted text: 1 needing a choice.' }).waitFor();
    assert.deepEqual(await rows(), [[name, 'unknown_folder', 'unknown', 'Needs a choice']]);
    const folder = page.getByLabel(`Folder for ${name}`);
    const offered = await folder.locator('option').allInnerTexts();
    for (const f of ['checkpoints', 'loras', 'vae', 'embeddings', 'controlnet', 'upscale_models', 'clip_vision']) {
      assert.ok(offered.includes(f), `${f} is offered: ${offered}`);
    }
    await folder.selectOption('loras');
    await page.getByLabel(`Link for ${name}`).fill(HUB_URL);
    await shot(page, '25-workflow-folder-chosen');
    await row(name).getByRole('button', { name: 'Queue' }).click();

    const job = cell(name, 'status').locator('.plan-job');
    await job.waitFor();
    assert.deepEqual(await rows(), [[name, 'download', 'loras', 'Will download']], 'planned again with the choices');
    await page.locator('#add-workflow-status .alert-success', { hasText: `Queued ${name}; its row follows the job.` }).waitFor();
    const id = Number((await job.getByRole('link').innerText()).replace('Job ', ''));
    await job.and(page.locator('[data-state="completed"]')).waitFor({ timeout: 60_000 });
    assert.equal(await job.locator('.job-state').innerText(), 'Completed');
    assert.equal(await cell(name, 'size').innerText(), '3.00 MiB');
    const answer = (await call(fixture, 'GET', `api/jobs/${id}`)).json.job;
    assert.deepEqual([answer.state, answer.model_type, answer.filename], ['completed', 'lora', name]);
    assert.equal(answer.expected_sha256, fixture.workflow.hub_checkpoint_sha256, 'verified by the Hub\'s SHA-256');
    await shot(page, '25-workflow-folder-downloaded');
    assert.deepEqual(page.problems(), []);
  });

  it('"Download this one" queues that row alone; the others keep theirs', T, async () => {
    await openAdd();
    const [first, second] = ['one-of-two.safetensors', 'two-of-two.safetensors'];
    const lora = (id, name, url) => ({ id, type: 'LoraLoader', widgets_values: [name, 1, 1],
      properties: { models: [{ name, url, directory: 'loras' }] } });
    await paste([lora(11, first, fixture.big[3]), lora(12, second, fixture.big[2])]);
    await page.locator('#add-workflow-summary', { hasText: '2 models in the pasted text: 2 to download.' }).waitFor();
    await row(second).getByRole('button', { name: 'Download this one' }).click();

    const job = cell(second, 'status').locator('.plan-job');
    await job.waitFor();
    const id = Number((await job.getByRole('link').innerText()).replace('Job ', ''));
    assert.equal(await cell(first, 'status').locator('.plan-job, .queue-result').count(), 0);
    assert.equal(await row(first).getByRole('button', { name: 'Download this one' }).count(), 1, 'still to choose');
    assert.equal(await row(second).getByRole('button', { name: 'Download this one' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Download all missing' }).count(), 1, 'one row is left to download');
    const all = await jobs();
    assert.deepEqual(all.filter((j) => [first, second].includes(j.filename)).map((j) => [j.id, j.filename]), [[id, second]]);
    await shot(page, '26-workflow-one-row');
    assert.equal((await call(fixture, 'POST', `api/jobs/${id}/cancel`)).status, 200);
    await job.and(page.locator('[data-state="cancelled"]')).waitFor();
    assert.deepEqual(page.problems(), []);
  });

  it('says in its row why the daemon refused the link given for a name no source knows', T, async () => {
    await openAdd();
    const name = 'nobody-has-this.safetensors';
    await paste([{ id: 9, type: 'LoraLoader', widgets_values: [name, 1, 1] }]);
    await page.locator('#add-workflow-summary', { hasText: '1 model in the pasted text: 1 not found.' }).waitFor();
    const before = (await jobs()).length;
    const bad = `ftp://example.org/${name}`;
    await page.getByLabel(`Link for ${name}`).fill(bad);
    await row(name).getByRole('button', { name: 'Queue with this link' }).click();
    const alert = cell(name, 'status').locator('[role="alert"]');
    await alert.waitFor();
    assert.equal(await alert.innerText(), `${name} was not queued: "url" must be an http(s) URL, not ${bad}`);
    assert.equal(await page.getByLabel(`Link for ${name}`).inputValue(), bad, 'kept, to be corrected');
    assert.equal(await row(name).getByRole('button', { name: 'Queue with this link' }).isEnabled(), true);
    assert.equal((await jobs()).length, before);
    await shot(page, '27-workflow-bad-link');
    assert.deepEqual(page.problems().filter((p) => !/status of 400 \(/.test(p)), []);
    assert.equal(page.problems().length, 1);
  });
});
