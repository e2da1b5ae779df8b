// The Add view: a Civitai reference (link, AIR, model or version id), a direct URL with its model type, or a
// whole manifest with a result per entry (the daemon checks every entry first and queues nothing when one is bad).
// A Hugging Face link (in either form, with a type) is resolved first (a dry run) and its commit, size and SHA-256
// shown with "Queue it" and "Cancel"; a Civitai reference or another URL is queued at once, as the daemon picks.

import { post } from './api.js';
import { $, h, clear, toast } from './dom.js';
import * as hub from './hub.js';
import { modelTypes } from './meta.js';
import * as workflow from './workflow.js';


const RESULT = { queued: 'Queued', already_known: 'Already in the queue', already_completed: 'Already downloaded' };

/** What the user typed, as the API's reference body: a bare number is a model id, v123 a version id. */
export function reference(text) {
  const t = text.trim();
  if (/^\d+$/.test(t)) return { modelId: Number(t) };
  // a Hub link (huggingface.co or hf_endpoint's host) is a url the daemon resolves through hf_endpoint
  if (hub.onHub(t)) return { url: t };
  const version = /^v(?:ersion)?\s*[:#]?\s*(\d+)$/i.exec(t);
  if (version) return { versionId: Number(version[1]) };
  return { civitai: t };
}

export function init() {
  for (const select of [$('#add-ref-type'), $('#library-type')]) {
    for (const type of modelTypes()) select.append(h('option', { value: type }, type));
  }
  clear($('#model-types'), modelTypes().map((type) => h('option', { value: type })));
  $('#add-ref').addEventListener('submit', (e) => submit(e, () => {
    const body = reference($('#add-ref-text').value);
    if ($('#add-ref-type').value) body.model_type = $('#add-ref-type').value;
    const priority = Number($('#add-ref-priority').value || 0);
    if (priority) body.priority = priority;
    return body;
  }, () => { $('#add-ref-text').value = ''; }, $('#add-ref-type')));
  $('#add-url').addEventListener('submit', (e) => submit(e, () => {
    const body = { url: $('#add-url-url').value.trim(), model_type: $('#add-url-type').value.trim() };
    if ($('#add-url-filename').value.trim()) body.filename = $('#add-url-filename').value.trim();
    if ($('#add-url-sha').value.trim()) body.sha256 = $('#add-url-sha').value.trim();
    return body;
  }, () => { for (const id of ['#add-url-url', '#add-url-filename', '#add-url-sha']) $(id).value = ''; }, $('#add-url-type')));
  $('#add-batch-file').addEventListener('change', async (e) => {
    const file = e.currentTarget.files[0];
    if (file) $('#add-batch-text').value = await file.text();
  });
  $('#add-batch').addEventListener('submit', (e) => {
    e.preventDefault();
    batch($('#add-batch-text').value);
  });
  workflow.init();
}

export function show() {
  $('#add-ref-text').focus();
}

/**
 * One entry: the button is busy while the daemon resolves it; the answer is shown under the form. A Hugging Face
 * file is a dry run first: its preview's "Queue it" sends the same body for real.
 */
async function submit(event, entry, reset, typeField) {
  event.preventDefault();
  const form = event.currentTarget;
  const button = form.querySelector('button[type=submit]');
  const result = form.querySelector('.result');
  const body = entry();
  if (typeof body.url === 'string' && hub.isHubLink(body.url)) {
    if (!body.model_type) {
      clear(result, h('div', { class: 'alert alert-warning mb-0', role: 'alert' },
        'Choose a model type: the Hugging Face Hub does not say what a file is.'));
      typeField.focus();
      return;
    }
    button.disabled = true;
    clear(result, h('div', { class: 'text-body-secondary small' }, 'Asking the Hugging Face Hub through the daemon…'));
    try {
      const answer = await post('api/download?dry_run=true', body);
      const box = hub.preview(answer.entry, {
        onQueue: () => queue(form, body, reset),
        onCancel: () => { clear(result); form.querySelector('input').focus(); },
      });
      clear(result, box);
      box.focus();
    } catch (e) {
      clear(result, hub.refusal(e));
    } finally {
      button.disabled = false;
    }
    return;
  }
  button.disabled = true;
  try {
    await queue(form, body, reset);
  } finally {
    button.disabled = false;
  }
}

/** The real add, its answer under the form. */
async function queue(form, body, reset) {
  const result = form.querySelector('.result');
  for (const b of result.querySelectorAll('button')) b.disabled = true;
  clear(result, h('div', { class: 'text-body-secondary small' }, 'Asking the daemon…'));
  try {
    const answer = await post('api/download', body);
    const job = answer.job;
    const what = `${job.model_type}/${job.filename || job.url}`;
    clear(result, h('div', { class: 'alert alert-success mb-0', role: 'status' },
      `${RESULT[answer.result] || answer.result}: ${what} (job ${job.id}). `, h('a', { href: '#queue' }, 'See the queue')));
    toast(`${RESULT[answer.result] || answer.result}: ${what}`);
    reset();
  } catch (e) {
    clear(result, h('div', { class: 'alert alert-danger mb-0', role: 'alert' }, e.message));
  }
}

function describe(entry) {
  if (!entry || typeof entry !== 'object') return JSON.stringify(entry);
  const name = entry.filename || entry.civitai || entry.url || (entry.modelId && `model ${entry.modelId}`)
    || (entry.versionId && `version ${entry.versionId}`) || JSON.stringify(entry).slice(0, 80);
  return entry.model_type ? `${entry.model_type}: ${name}` : String(name);
}

async function batch(text) {
  const result = $('#add-batch .result');
  const button = $('#add-batch button[type=submit]');
  let entries;
  try {
    entries = JSON.parse(text);
  } catch (e) {
    clear(result, h('div', { class: 'alert alert-danger mb-0', role: 'alert' }, `This is not valid JSON: ${e.message}`));
    return;
  }
  if (!Array.isArray(entries)) entries = Array.isArray(entries?.entries) ? entries.entries : null;
  if (!entries || entries.length === 0) {
    clear(result, h('div', { class: 'alert alert-danger mb-0', role: 'alert' }, 'A manifest is a JSON array with at least one entry.'));
    return;
  }
  button.disabled = true;
  clear(result, h('div', { class: 'text-body-secondary small' }, `Checking ${entries.length} entries…`));
  try {
    const check = await post('api/batch?dry_run=true', entries);
    if (check.problems.length) {
      rejected(entries, check.problems, result);
      return;
    }
    const answer = await post('api/batch', entries);
    const rows = answer.jobs.map((j, i) => [i, describe(entries[i]), RESULT[j.result] || j.result, 'success']);
    clear(result, h('div', { class: 'alert alert-success', role: 'status' }, `All ${entries.length} entries accepted.`), table(rows));
    toast(`${entries.length} entries added`);
  } catch (e) {
    if (e.code === 'invalid_entries' && Array.isArray(e.details)) rejected(entries, e.details, result);
    else clear(result, h('div', { class: 'alert alert-danger mb-0', role: 'alert' }, e.message));
  } finally {
    button.disabled = false;
  }
}

/** Each entry's fate when some were rejected: nothing was queued; the valid ones can be sent alone. */
function rejected(entries, problems, result) {
  const bad = new Map(problems.map((d) => [d.index, d.reason]));
  const rows = entries.map((entry, i) => (bad.has(i) ? [i, describe(entry), `Rejected: ${bad.get(i)}`, 'danger']
    : [i, describe(entry), 'Valid, not queued yet', 'secondary']));
  const good = entries.filter((_, i) => !bad.has(i));
  clear(result, h('div', { class: 'alert alert-danger', role: 'alert' },
    `${bad.size} of ${entries.length} entries are invalid; nothing was queued.`), table(rows),
  good.length ? h('button', { type: 'button', class: 'btn btn-outline-primary btn-sm mt-2',
    onclick: () => { $('#add-batch-text').value = JSON.stringify(good, null, 2); batch($('#add-batch-text').value); },
  }, `Add the ${good.length} valid entr${good.length === 1 ? 'y' : 'ies'} only`) : null);
}

function table(rows) {
  return h('div', { class: 'table-responsive' }, h('table', { class: 'table table-sm align-middle mb-0 batch-results' },
    h('caption', { class: 'visually-hidden' }, 'Result per manifest entry'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '#'), h('th', { scope: 'col' }, 'Entry'), h('th', { scope: 'col' }, 'Result'))),
    h('tbody', {}, rows.map(([i, what, outcome, kind]) => h('tr', { 'data-index': i },
      h('td', {}, i + 1), h('td', { class: 'text-break' }, what), h('td', { class: `text-${kind}-emphasis` }, outcome))))));
}
