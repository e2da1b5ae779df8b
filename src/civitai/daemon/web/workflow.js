// The Add view's workflow box: a dropped or picked file (ComfyUI JSON, a PNG) or pasted text (JSON or A1111
// parameters) goes to api/workflow as it is, and its plan is shown as a table. "Download all missing" sends
// the same bytes again with ?queue=true; a row's own action (link the library's copy here, pick a folder,
// give a link, download this one) goes to api/workflow/plan/{plan_id}/queue with that row alone. Each queued
// row then follows its job here through the event stream (and the job is in the Queue view like any other).

import { api, post, postRaw } from './api.js';
import { on } from './live.js';
import { $, h, clear, bytes, percent, toast, loading } from './dom.js';
import { meta, stateLabel, failureText } from './meta.js';

// Each decision in words, the group it counts in (present, will download, needs a choice, not found), and
// what the daemon's reason leaves unsaid, if anything.
const DECISIONS = {
  present: ['Present', 'present', ''],
  present_elsewhere: ['Present elsewhere', 'present', 'Link it here puts the library\'s copy where the workflow looks (a hard link, '
    + 'else a copy checked by its hash); nothing is downloaded.'],
  download: ['Will download', 'download', ''],
  lookup_hash: ['Will look up by hash', 'download', 'Nothing: Civitai is asked which file has this hash when you download.'],
  conflict: ['Needs a choice', 'choice', 'The daemon never overwrites it: rename or remove one of them.'],
  ambiguous: ['Needs a choice', 'choice', 'Give the link of the file the workflow means, or point the workflow at one of '
    + 'the library\'s.'],
  unknown_folder: ['Needs a choice', 'choice', 'Pick the ComfyUI folder the node loads from, and give its link if the library '
    + 'does not have the file.'],
  not_found: ['Not found', 'missing', 'Give its link (Civitai or any http(s) URL) and queue it, or copy it into the folder.'],
  refused: ['Refused', 'missing', 'The name would put the file outside its folder.'],
};
const GROUPS = [['present', 'present'], ['download', 'to download'], ['choice', 'needing a choice'], ['missing', 'not found']];
const BADGE = { present: 'text-bg-success', download: 'text-bg-primary', choice: 'text-bg-warning', missing: 'text-bg-danger' };
const QUEUED = { queued: 'Queued', held: 'Already in the queue', duplicate: 'Same file as another row' };
// a row's queue result after which it has nothing left to choose: a job follows it, or its file is in place
const SETTLED = new Set(['queued', 'held', 'duplicate', 'linked']);
const FINISHED = new Set(['completed', 'failed', 'cancelled', 'superseded']);

let input = null; // { body, label, type }: what the plan was made from, sent again to queue it
// the plan shown: its id, its rows as last answered, their [row, details] elements, the decision each row had
// first (its action follows it: a not_found row given a link is a download after), and the choices the daemon
// took per row (sent again with that row's next action)
let plan = null;
const followed = new Map(); // job id → { state, total, bytes, status cell, size cell, seq }
let generation = 0; // a newer plan replaces the rows an older answer would fill in

/** [words, group, explanation] of a row; a decision this page does not know yet is shown as it is named. */
function decisionOf(row) {
  return DECISIONS[row.decision] || [row.decision.replaceAll('_', ' '), 'choice', ''];
}
const sentence = (text) => (text ? text.charAt(0).toUpperCase() + text.slice(1) : '');
const baseName = (path) => path.replaceAll('\\', '/').split('/').pop();

export function init() {
  const box = $('#add-workflow');
  const form = $('#add-workflow-form');
  $('#add-workflow-file').addEventListener('change', (e) => {
    const file = e.currentTarget.files[0];
    if (file) check({ body: file, label: file.name, type: file.type || 'application/octet-stream' });
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('#add-workflow-text').value;
    if (!text.trim()) {
      status('Paste a workflow or parameters text first, or choose a file.', 'danger');
      $('#add-workflow-text').focus();
      return;
    }
    check({ body: text, label: 'the pasted text', type: 'text/plain; charset=utf-8' });
  });
  box.addEventListener('dragover', (e) => { e.preventDefault(); box.classList.add('is-dragover'); });
  box.addEventListener('dragleave', (e) => { if (!box.contains(e.relatedTarget)) box.classList.remove('is-dragover'); });
  box.addEventListener('drop', (e) => {
    e.preventDefault();
    box.classList.remove('is-dragover');
    const file = e.dataTransfer.files[0];
    const text = e.dataTransfer.getData('text/plain');
    $('#add-workflow-file').value = ''; // the picker would still name an older file
    if (file) check({ body: file, label: file.name, type: file.type || 'application/octet-stream' });
    else if (text) { $('#add-workflow-text').value = text; form.requestSubmit(); }
  });
  // a file dropped beside the box would make the browser open it in place of the page
  for (const name of ['dragover', 'drop']) {
    window.addEventListener(name, (e) => {
      if (e.dataTransfer?.types.includes('Files') && e.target.type !== 'file') e.preventDefault();
    });
  }
  on('job.progress', (e) => follow(e.job_id, { state: 'downloading', bytes: e.bytes, total: e.total }));
  on('job.started', (e) => follow(e.job_id, { state: 'downloading' }));
  for (const name of meta.events.filter((n) => n.startsWith('job.'))) {
    const state = name.slice('job.'.length);
    if (meta.job_states.includes(state) && state !== 'downloading') on(name, (e) => follow(e.job_id, { state }, true));
  }
  on('resync', () => followed.forEach((_, id) => refetch(id)));
  on('reconnected', () => followed.forEach((_, id) => refetch(id)));
}

function status(text, kind, ...extra) {
  clear($('#add-workflow-status'), text ? h('div', { class: `alert alert-${kind} mb-0`, role: kind === 'danger' ? 'alert' : 'status' },
    text, ...extra) : null);
}

/** The plan alone: nothing is queued. */
async function check(next) {
  input = next;
  plan = null;
  const mine = ++generation;
  followed.clear();
  clear($('#add-workflow-plan'), loading(`Reading ${next.label}…`));
  status(null);
  try {
    const answer = await postRaw('api/workflow', next.body, next.type);
    if (mine !== generation) return;
    show(answer, mine);
  } catch (e) {
    if (mine !== generation) return;
    clear($('#add-workflow-plan'));
    status(`The daemon could not use ${next.label}: ${e.message}`, 'danger');
  }
}

/** The same input again with ?queue=true: each row then says what became of it. */
async function queueAll(button) {
  const mine = generation;
  button.disabled = true;
  button.textContent = 'Queueing…';
  try {
    const answer = await postRaw('api/workflow?queue=true', input.body, input.type);
    if (mine !== generation) return;
    // a row queued or linked on its own keeps what it became (this answer knows none of its choices)
    const rows = (answer.models || []).map((row, i) => (SETTLED.has(plan?.rows[i]?.queue?.result) ? plan.rows[i] : row));
    show({ ...answer, models: rows }, mine);
    const n = answer.queued ?? 0;
    const words = n ? `Queued ${n} download${n === 1 ? '' : 's'}; each row below follows its job.`
      : 'Nothing new was queued: each row below says why.';
    status(words, n ? 'success' : 'info', ' ', h('a', { href: '#queue' }, 'See the queue'));
    if (n) toast(`Queued ${n} download${n === 1 ? '' : 's'} from ${input.label}`);
  } catch (e) {
    if (mine !== generation) return;
    button.disabled = false;
    button.textContent = 'Download all missing';
    status(`Nothing was queued: ${e.message}`, 'danger');
  }
}

function show(answer, mine) {
  const rows = answer.models || [];
  plan = { id: answer.plan_id, rows, elements: [], first: plan?.first ?? rows.map((r) => r.decision),
    choices: plan?.choices ?? new Map() };
  clear($('#add-workflow-plan'), h('div', { class: 'd-flex flex-wrap align-items-center gap-2 my-2', id: 'add-workflow-head' }),
    rows.length ? table(rows, mine) : null);
  head();
  if (!rows.some((r) => r.queue)) status(null);
}

/** The summary of the rows as they are now, and "Download all missing" while a row to download has no job. */
function head() {
  const { rows } = plan;
  const counts = Object.fromEntries(GROUPS.map(([g]) => [g, 0]));
  for (const row of rows) counts[decisionOf(row)[1]]++;
  const said = GROUPS.filter(([g]) => counts[g]).map(([g, words]) => `${counts[g]} ${words}`).join(', ');
  const summary = rows.length
    ? `${rows.length} model${rows.length === 1 ? '' : 's'} in ${input.label}: ${said}.`
    : `${input.label} names no model file.`;
  const waiting = rows.some((r) => decisionOf(r)[1] === 'download' && !r.queue);
  const button = waiting ? h('button', { type: 'button', class: 'btn btn-primary', id: 'add-workflow-queue' },
    'Download all missing') : null;
  button?.addEventListener('click', () => queueAll(button));
  clear($('#add-workflow-head'), h('p', { class: 'mb-0 me-auto', id: 'add-workflow-summary' }, summary), button);
}

function table(rows, mine) {
  const body = h('tbody');
  rows.forEach((row, i) => {
    plan.elements[i] = tableRow(row, i, mine);
    body.append(...plan.elements[i]);
  });
  return h('div', { class: 'table-responsive' }, h('table', { class: 'table table-sm align-middle mb-0 workflow-plan' },
    h('caption', { class: 'visually-hidden' }, 'The models the workflow needs, and what the daemon does about each'),
    h('thead', {}, h('tr', {}, ['Model', 'Folder', 'Status', 'Size', 'Source'].map((t) => h('th', { scope: 'col' }, t)),
      h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
    body));
}

/** The row and its details row (hidden until asked for). */
function tableRow(row, i, mine) {
  const [label, group, explain] = decisionOf(row);
  const detailsId = `workflow-row-${i}-details`;
  const size = h('td', { class: 'size text-nowrap' }, bytes(row.size));
  const failed = row.queue?.result === 'failed'; // the plan's hope, refused when queued: its reason follows
  const linked = row.queue?.result === 'linked';
  const state = h('td', { class: 'status', tabindex: -1 },
    h('span', { class: `badge ${BADGE[failed ? 'missing' : linked ? 'present' : group]} decision` },
      failed ? 'Could not queue' : linked ? 'Present' : label),
    group === 'choice' || group === 'missing' ? h('div', { class: 'small text-body-secondary reason' }, sentence(row.reason)) : null,
    queueLine(row.queue), action(row, i, mine));
  const details = h('tr', { id: detailsId, class: 'details', hidden: true },
    h('td', { colspan: 6 }, detailList(row, failed ? DECISIONS.not_found[2] : explain)));
  const toggle = h('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary', 'aria-expanded': 'false',
    'aria-controls': detailsId, 'aria-label': `Details of ${row.name}` }, 'Details');
  toggle.addEventListener('click', () => {
    details.hidden = !details.hidden;
    toggle.setAttribute('aria-expanded', String(!details.hidden));
  });
  const tr = h('tr', { dataset: { decision: row.decision, name: row.name } },
    h('th', { scope: 'row', class: 'fw-normal' }, h('div', { class: 'fw-semibold text-break' }, row.name),
      h('div', { class: 'small text-body-secondary' }, `${row.node_class} · node ${row.node}`)),
    h('td', { class: 'folder' }, row.folder ? h('code', {}, row.folder) : h('span', { class: 'text-body-secondary' }, 'unknown')),
    state, size, h('td', { class: 'source text-break' }, source(row, group)), h('td', { class: 'text-end' }, toggle));
  const jobId = row.queue?.job_id;
  if (jobId && ['queued', 'held'].includes(row.queue.result)) {
    followed.set(jobId, { state: 'queued', cell: state.querySelector('.plan-job'), size, seq: 0 });
    refetch(jobId);
  } else if (row.decision === 'ambiguous') {
    candidates(row, details.querySelector('.candidates'), mine);
  }
  return [tr, details];
}

/** Shows a row as the daemon answered it now, in the place of what it was. */
function replaceRow(i, row, mine) {
  plan.rows[i] = row;
  const next = tableRow(row, i, mine);
  plan.elements[i].forEach((old, k) => old.replaceWith(next[k]));
  plan.elements[i] = next;
  next[0].querySelector('td.status').focus(); // the control that was used is gone: its answer is read instead
}

/** What the user can do about a row on its own, if anything. */
function action(row, i, mine) {
  if (SETTLED.has(row.queue?.result) || ['present', 'conflict', 'refused'].includes(row.decision)) return null;
  if (row.decision === 'present_elsewhere') return rowButton(row, 'Link it here', 'Linking…', (b) => send(i, null, b, mine));
  const first = plan.first[i];
  if (first === 'unknown_folder') return choiceForm(row, i, mine, true);
  // a row whose source failed when queued (a hash Civitai does not know, a gated repo) may be given another
  if (first === 'not_found' || first === 'ambiguous' || row.queue?.result === 'failed') return choiceForm(row, i, mine, false);
  if (['download', 'lookup_hash'].includes(row.decision)) {
    return rowButton(row, 'Download this one', 'Queueing…', (b) => send(i, null, b, mine));
  }
  return null;
}

/** A button whose name says its row; `run` gets it, to say it is busy. */
function rowButton(row, words, busy, run) {
  const button = h('button', { type: 'button', class: 'btn btn-sm btn-outline-primary', dataset: { busy } },
    h('span', { class: 'words' }, words), h('span', { class: 'visually-hidden' }, ` (${row.name})`));
  button.addEventListener('click', () => run(button));
  return h('div', { class: 'row-action' }, h('div', { class: 'd-flex flex-wrap gap-1' }, button), h('div', { class: 'row-error' }));
}

/** A link for a name no source knows, and for a node the loader table does not place, its folder first. */
function choiceForm(row, i, mine, withFolder) {
  const had = plan.choices.get(i) || {};
  const id = `workflow-row-${i}`;
  const hidden = (text) => h('span', { class: 'visually-hidden' }, text);
  const folder = withFolder ? h('select', { id: `${id}-folder`, class: 'form-select form-select-sm', required: true },
    h('option', { value: '' }, 'Choose…'), folders().map((f) => h('option', { value: f, selected: f === had.folder }, f))) : null;
  const url = h('input', { id: `${id}-url`, type: 'url', class: 'form-control form-control-sm', required: !withFolder, value: had.url,
    placeholder: 'https://civitai.com/models/…', autocomplete: 'off', spellcheck: 'false' });
  const submit = h('button', { type: 'submit', class: 'btn btn-sm btn-outline-primary', dataset: { busy: 'Queueing…' } },
    h('span', { class: 'words' }, withFolder ? 'Queue' : 'Queue with this link'), hidden(` (${row.name})`));
  const form = h('form', { class: 'row-action', 'aria-label': `Choices for ${row.name}` },
    h('div', { class: 'd-flex flex-wrap align-items-end gap-1' },
      folder ? h('div', {}, h('label', { for: folder.id, class: 'form-label small mb-0' }, 'Folder', hidden(` for ${row.name}`)),
        folder) : null,
      h('div', { class: 'flex-grow-1' }, h('label', { for: url.id, class: 'form-label small mb-0' }, 'Link',
        hidden(` for ${row.name}`), withFolder ? ' (if the library does not have it)' : ''), url),
      submit),
    h('div', { class: 'row-error' }));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const choice = {};
    if (folder) choice.folder = folder.value;
    if (url.value.trim()) choice.url = url.value.trim();
    send(i, choice, submit, mine);
  });
  return form;
}

/** The ComfyUI folders the daemon has a model type for (api/meta), for a node the loader table does not know. */
function folders() {
  return [...new Set(meta.model_types.map((t) => t.folders?.comfyui?.replace(/^models\//, '')).filter(Boolean))].sort();
}

/**
 * Queues one row of the plan with its choice (a form's values; a button sends the choice the row had), and
 * shows the row as the daemon answered it. The daemon plans the row again with the choice, so a row given a
 * folder may turn out present, or elsewhere (then it is linked), and one given a link is checked like any other.
 */
async function send(i, choice, button, mine) {
  const row = plan.rows[i];
  const chosen = choice ?? plan.choices.get(i);
  const body = { rows: [i] };
  if (chosen && Object.keys(chosen).length) body.choices = { [i]: chosen };
  const words = button.querySelector('.words');
  const was = words.textContent;
  const error = button.closest('.row-action').querySelector('.row-error');
  button.disabled = true;
  words.textContent = button.dataset.busy;
  clear(error);
  try {
    const answer = await post(`api/workflow/plan/${encodeURIComponent(plan.id)}/queue`, body);
    if (mine !== generation) return;
    if (chosen) plan.choices.set(i, chosen);
    const next = answer.models[i];
    replaceRow(i, next, mine);
    head();
    said(next);
  } catch (e) {
    if (mine !== generation) return;
    button.disabled = false;
    words.textContent = was;
    if (e.status === 404) {
      status(`The daemon no longer has this plan (it keeps the last 32 workflows, and none across a restart): check ${input.label}`
        + ' again, then choose.', 'danger', ' ', h('button', { type: 'button', class: 'btn btn-sm btn-outline-danger ms-1',
        onclick: () => check(input) }, 'Check it again'));
    } else {
      // the daemon names the row; here the message sits in it
      clear(error, h('div', { class: 'small text-danger-emphasis mt-1', role: 'alert' },
        `${baseName(row.name)} was not queued: ${e.message.replace(/^row \d+: /, '')}`));
    }
  }
}

/** What one row's action came to, in the box's status line. */
function said(row) {
  const q = row.queue || {};
  const name = baseName(row.name);
  const queue = h('a', { href: '#queue' }, 'See the queue');
  if (q.result === 'linked') status(`Linked ${name} from ${q.from}; nothing was downloaded.`, 'success');
  else if (q.result === 'queued') status(`Queued ${name}; its row follows the job.`, 'success', ' ', queue);
  else if (q.result === 'held') status(`${name}: job ${q.job_id} has this file already; its row follows it.`, 'info', ' ', queue);
  else if (q.result === 'failed') status(`${name} was not queued: ${q.reason}`, 'danger');
  else status(`${name} was not queued: ${sentence(q.reason || 'there is nothing to do for it')}.`, 'info');
}

function source(row, group) {
  if (row.url) {
    let host = row.url;
    try { host = new URL(row.url).hostname; } catch { /* shown as it is */ }
    return h('a', { href: row.url, target: '_blank', rel: 'noopener noreferrer', title: row.url }, host);
  }
  if (row.hash) return h('span', {}, 'Hash ', h('code', {}, row.hash));
  return h('span', { class: 'text-body-secondary' }, group === 'present' ? 'Your library' : 'Name only');
}

/** What ?queue=true did with the row: its job (followed live) or why there is none. */
function queueLine(q) {
  if (!q) return null;
  if (q.job_id && ['queued', 'held'].includes(q.result)) {
    return h('div', { class: 'small plan-job' }, h('a', { href: '#queue' }, `Job ${q.job_id}`), ': ',
      h('span', { class: 'job-state' }, QUEUED[q.result]));
  }
  if (q.result === 'linked') {
    return h('div', { class: 'small text-success-emphasis queue-result' }, 'Linked from ', h('code', { class: 'text-break' }, q.from));
  }
  if (q.result === 'not_queued') return null;
  const why = [QUEUED[q.result] || 'Not queued', q.reason ? `: ${q.reason}` : ''].join('');
  return h('div', { class: `small ${q.result === 'failed' ? 'text-danger-emphasis' : 'text-body-secondary'} queue-result` }, why);
}

function detailList(row, explain) {
  const items = [
    ['Goes to', row.target ? h('code', { class: 'text-break' }, row.target) : 'Nowhere yet: the folder is not known'],
    ['Why', sentence(row.reason)],
    row.elsewhere ? ['Found at', h('code', { class: 'text-break' }, row.elsewhere)] : null,
    explain ? ['What to do', explain] : null,
    row.url ? ['Link', h('code', { class: 'text-break' }, row.url)] : null,
    row.hash ? ['Hash', h('code', {}, row.hash)] : null,
    row.queue?.note ? ['Note', sentence(row.queue.note)] : null,
    row.queue?.verified !== undefined ? ['Checked', row.queue.verified ? 'Against its SHA-256 after the download'
      : 'No SHA-256 is known: the file is not checked'] : null,
  ].filter(Boolean);
  const addable = ['not_found', 'unknown_folder'].includes(row.decision) || row.queue?.result === 'failed';
  return h('div', { class: 'vstack gap-2 py-1' },
    h('dl', { class: 'plan-details mb-0' }, items.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)])),
    row.decision === 'ambiguous' ? h('div', { class: 'candidates' }, loading('Looking for the files with this name…')) : null,
    addable ? h('div', {}, h('button', { type: 'button', class: 'btn btn-sm btn-outline-primary',
      onclick: () => addByLink(row) }, 'Add it from Civitai…')) : null);
}

/** Fills the "From Civitai" form's type from the row's folder and puts the cursor in its link field. */
function addByLink(row) {
  // a folder the daemon has no type for (an extension's own) is left to Civitai's word
  const type = meta.model_types.find((t) => t.folders?.comfyui === `models/${row.folder}`)?.type;
  $('#add-ref-type').value = type || '';
  $('#add-ref-text').focus();
  $('#add-ref-text').scrollIntoView({ block: 'center' });
  toast(`Paste the Civitai link for ${baseName(row.name)}${type ? ` (type ${type})` : ''}`, 'info');
}

/** An ambiguous row's candidates, from the library's files of that name (the plan gives their count only). */
async function candidates(row, box, mine) {
  const name = baseName(row.name);
  let files = [];
  try {
    const page = await api(`api/library?${new URLSearchParams({ q: name, state: 'present', limit: 100 })}`);
    files = page.files || [];
  } catch {
    clear(box, h('p', { class: 'small mb-0' }, 'The library could not be asked which files these are.'));
    return;
  }
  if (mine !== generation) return;
  const named = files.filter((f) => f.name === baseName(row.target || name) || f.name === name);
  clear(box, named.length ? [h('p', { class: 'small mb-1' }, 'Library files with this name; point the workflow at one of them:'),
    h('ul', { class: 'small mb-0' }, named.map((f) => h('li', {}, h('code', { class: 'text-break' }, f.path), ` (${bytes(f.size)})`)))]
    : h('p', { class: 'small mb-0' }, 'No library file has this name any more.'));
}

async function refetch(id) {
  const f = followed.get(id);
  if (!f) return;
  const seq = f.seq;
  try {
    const { job } = await api(`api/jobs/${id}`);
    // an event that came while asking is newer than this answer
    if (followed.get(id) === f && f.seq === seq) apply(id, f, job);
  } catch {
    // the row keeps what it knew; the Queue view shows the job either way
  }
}

/** An event for a job a row follows; a finished one is fetched again for its size and failure reason. */
function follow(id, change, finished = false) {
  const f = followed.get(id);
  if (!f) return;
  f.seq++;
  apply(id, f, change);
  if (finished && FINISHED.has(change.state)) refetch(id);
}

function apply(id, f, job) {
  if (job.state) f.state = job.state;
  if (job.total !== undefined && job.total !== null) f.total = job.total;
  if (job.bytes !== undefined) f.bytes = job.bytes;
  if (f.total) clear(f.size, bytes(f.total));
  const words = f.state === 'downloading' && f.total ? `Downloading, ${Math.floor(percent(f.bytes, f.total))}%`
    : stateLabel(f.state);
  const reason = f.state === 'failed' && job.failure_reason ? `: ${failureText(job.failure_reason)}` : '';
  const cell = f.cell.querySelector('.job-state');
  cell.textContent = `${words}${reason}`;
  f.cell.dataset.state = f.state;
  f.cell.querySelector('a').setAttribute('aria-label', `Job ${id} in the queue`);
}
