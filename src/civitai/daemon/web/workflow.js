// The Add view's workflow box: a dropped or picked file (ComfyUI JSON, a PNG) or pasted text (JSON or A1111
// parameters) goes to api/workflow as it is, and its plan is shown as a table. "Download all missing" sends
// the same bytes again with ?queue=true; each queued row then follows its job here through the event stream
// (and the job is in the Queue view like any other). Sizes of files the library has come from api/library.

import { api, postRaw } from './api.js';
import { on } from './live.js';
import { $, h, clear, bytes, percent, toast, loading } from './dom.js';
import { meta, stateLabel, failureText } from './meta.js';

// Each decision in words, the group it counts in (present, will download, needs a choice, not found), and
// what the daemon's reason leaves unsaid, if anything.
const DECISIONS = {
  present: ['Present', 'present', ''],
  present_elsewhere: ['Present elsewhere', 'present', 'No second copy is downloaded: point the workflow at that file.'],
  download: ['Will download', 'download', ''],
  lookup_hash: ['Will look up by hash', 'download', 'Nothing: Civitai is asked which file has this hash when you download.'],
  conflict: ['Needs a choice', 'choice', 'The daemon never overwrites it: rename or remove one of them.'],
  ambiguous: ['Needs a choice', 'choice', ''],
  unknown_folder: ['Needs a choice', 'choice', 'Add it by its link with the model type it is.'],
  not_found: ['Not found', 'missing', 'Add it by its Civitai link, or copy it into the folder.'],
  refused: ['Refused', 'missing', 'The name would put the file outside its folder.'],
};
const GROUPS = [['present', 'present'], ['download', 'to download'], ['choice', 'needing a choice'], ['missing', 'not found']];
const BADGE = { present: 'text-bg-success', download: 'text-bg-primary', choice: 'text-bg-warning', missing: 'text-bg-danger' };
const QUEUED = { queued: 'Queued', held: 'Already in the queue', duplicate: 'Same file as another row' };
// rows the library can give a size (and, for ambiguous ones, the candidates)
const IN_LIBRARY = new Set(['present', 'present_elsewhere', 'conflict', 'ambiguous']);
const FINISHED = new Set(['completed', 'failed', 'cancelled', 'superseded']);

let input = null; // { body, label, type }: what the plan was made from, sent again to queue it
const followed = new Map(); // job id → { state, total, bytes, status cell, size cell, seq }
let generation = 0; // a newer plan replaces the rows an older answer would fill in

/** [words, group, explanation] of a row; a decision this page does not know yet is shown as it is named. */
function decisionOf(row) {
  return DECISIONS[row.decision] || [row.decision.replaceAll('_', ' '), 'choice', ''];
}
const sentence = (text) => (text ? text.charAt(0).toUpperCase() + text.slice(1) : '');
const baseName = (path) => path.replaceAll('\\', '/').split('/').pop();

export function init() {
  const form = $('#add-workflow');
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
  form.addEventListener('dragover', (e) => { e.preventDefault(); form.classList.add('is-dragover'); });
  form.addEventListener('dragleave', (e) => { if (!form.contains(e.relatedTarget)) form.classList.remove('is-dragover'); });
  form.addEventListener('drop', (e) => {
    e.preventDefault();
    form.classList.remove('is-dragover');
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
  const mine = ++generation;
  followed.clear();
  clear($('#add-workflow-plan'), loading(`Reading ${next.label}…`));
  status(null);
  try {
    const plan = await postRaw('api/workflow', next.body, next.type);
    if (mine !== generation) return;
    show(plan, mine);
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
    const plan = await postRaw('api/workflow?queue=true', input.body, input.type);
    if (mine !== generation) return;
    show(plan, mine);
    const n = plan.queued ?? 0;
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

function show(plan, mine) {
  const rows = plan.models || [];
  const counts = Object.fromEntries(GROUPS.map(([g]) => [g, 0]));
  for (const row of rows) counts[decisionOf(row)[1]]++;
  const queued = rows.some((r) => r.queue);
  const toDownload = counts.download > 0;
  const said = GROUPS.filter(([g]) => counts[g]).map(([g, words]) => `${counts[g]} ${words}`).join(', ');
  const summary = rows.length
    ? `${rows.length} model${rows.length === 1 ? '' : 's'} in ${input.label}: ${said}.`
    : `${input.label} names no model file.`;
  const button = toDownload && !queued ? h('button', { type: 'button', class: 'btn btn-primary', id: 'add-workflow-queue' },
    'Download all missing') : null;
  button?.addEventListener('click', () => queueAll(button));
  clear($('#add-workflow-plan'),
    h('div', { class: 'd-flex flex-wrap align-items-center gap-2 my-2' },
      h('p', { class: 'mb-0 me-auto', id: 'add-workflow-summary' }, summary), button),
    rows.length ? table(rows, mine) : null);
  if (!queued) status(null);
}

function table(rows, mine) {
  const body = h('tbody');
  rows.forEach((row, i) => body.append(...tableRow(row, i, mine)));
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
  const size = h('td', { class: 'size text-nowrap' }, '—');
  const failed = row.queue?.result === 'failed'; // the plan's hope, refused when queued: its reason follows
  const state = h('td', { class: 'status' },
    h('span', { class: `badge ${BADGE[failed ? 'missing' : group]} decision` }, failed ? 'Could not queue' : label),
    group === 'choice' || group === 'missing' ? h('div', { class: 'small text-body-secondary reason' }, sentence(row.reason)) : null,
    queueLine(row.queue));
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
  } else if (IN_LIBRARY.has(row.decision)) {
    fromLibrary(row, size, details.querySelector('.candidates'), mine);
  }
  return [tr, details];
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
  if (q.result === 'not_queued') return null;
  const why = [QUEUED[q.result] || 'Not queued', q.reason ? `: ${q.reason}` : ''].join('');
  return h('div', { class: `small ${q.result === 'failed' ? 'text-danger-emphasis' : 'text-body-secondary'} queue-result` }, why);
}

function detailList(row, explain) {
  const items = [
    ['Goes to', row.target ? h('code', { class: 'text-break' }, row.target) : 'Nowhere yet: the folder is not known'],
    ['Why', sentence(row.reason)],
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

/** A present row's size, and an ambiguous row's candidates, from the library's files of that name. */
async function fromLibrary(row, sizeCell, candidates, mine) {
  const name = baseName(row.name);
  let files = [];
  try {
    const page = await api(`api/library?${new URLSearchParams({ q: name, state: 'present', limit: 100 })}`);
    files = page.files || [];
  } catch {
    if (candidates) clear(candidates, h('p', { class: 'small mb-0' }, 'The library could not be asked which files these are.'));
    return;
  }
  if (mine !== generation) return;
  const hash = row.hash?.toLowerCase();
  const named = files.filter((f) => f.name === baseName(row.target || name) || f.name === name);
  const file = files.find((f) => f.path === row.target) || (hash && files.find((f) => f.sha256?.startsWith(hash)))
    || (named.length === 1 ? named[0] : null);
  if (file && row.decision !== 'ambiguous') clear(sizeCell, bytes(file.size));
  if (!candidates) return;
  clear(candidates, named.length ? [h('p', { class: 'small mb-1' }, 'Library files with this name; point the workflow at one of them:'),
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
