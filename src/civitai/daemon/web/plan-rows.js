// One row of a workflow's plan as table rows: the model, its folder, its status (the decision in words, what
// became of it when queued, and the action left to the user), its size and source, and a details row with
// what the daemon found. The plan's state stays with the workflow box; a row is given what it needs.

import { api } from './api.js';
import { $, h, clear, bytes, toast, loading } from './dom.js';
import { meta } from './meta.js';
import { track } from './plan-follow.js';

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
export const GROUPS = [['present', 'present'], ['download', 'to download'], ['choice', 'needing a choice'], ['missing', 'not found']];
const BADGE = { present: 'text-bg-success', download: 'text-bg-primary', choice: 'text-bg-warning', missing: 'text-bg-danger' };
const QUEUED = { queued: 'Queued', held: 'Already in the queue', duplicate: 'Same file as another row' };
// a row's queue result after which it has nothing left to choose: a job follows it, or its file is in place
export const SETTLED = new Set(['queued', 'held', 'duplicate', 'linked']);

/** [words, group, explanation] of a row; a decision this page does not know yet is shown as it is named. */
export function decisionOf(row) {
  return DECISIONS[row.decision] || [row.decision.replaceAll('_', ' '), 'choice', ''];
}
export const sentence = (text) => (text ? text.charAt(0).toUpperCase() + text.slice(1) : '');
export const baseName = (path) => path.replaceAll('\\', '/').split('/').pop();

/**
 * The table of a plan's rows; `rowOf(row, i)` makes each row's pair of table rows (see planRow) and
 * `elements[i]` keeps them, so that a row can be replaced when it is queued on its own.
 */
export function planTable(rows, rowOf, elements) {
  const body = h('tbody');
  rows.forEach((row, i) => {
    elements[i] = rowOf(row, i);
    body.append(...elements[i]);
  });
  return h('div', { class: 'table-responsive' }, h('table', { class: 'table table-sm align-middle mb-0 workflow-plan' },
    h('caption', { class: 'visually-hidden' }, 'The models the workflow needs, and what the daemon does about each'),
    h('thead', {}, h('tr', {}, ['Model', 'Folder', 'Status', 'Size', 'Source'].map((t) => h('th', { scope: 'col' }, t)),
      h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
    body));
}

/**
 * The row and its details row (hidden until asked for). `ctx` is what the plan knows of it: `first`, the
 * decision the row had first (its action follows it: a not_found row given a link is a download after),
 * `had`, the choice it was queued with, `send(choice, button)` to queue it with a choice, and `current()`,
 * false once a newer plan replaced this one.
 */
export function planRow(row, i, ctx) {
  const [label, group, explain] = decisionOf(row);
  const detailsId = `workflow-row-${i}-details`;
  const size = h('td', { class: 'size text-nowrap' }, bytes(row.size));
  const failed = row.queue?.result === 'failed'; // the plan's hope, refused when queued: its reason follows
  const linked = row.queue?.result === 'linked';
  const state = h('td', { class: 'status', tabindex: -1 },
    h('span', { class: `badge ${BADGE[failed ? 'missing' : linked ? 'present' : group]} decision` },
      failed ? 'Could not queue' : linked ? 'Present' : label),
    group === 'choice' || group === 'missing' ? h('div', { class: 'small text-body-secondary reason' }, sentence(row.reason)) : null,
    queueLine(row.queue), action(row, i, ctx));
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
    track(jobId, state.querySelector('.plan-job'), size);
  } else if (row.decision === 'ambiguous') {
    candidates(row, details.querySelector('.candidates'), ctx.current);
  }
  return [tr, details];
}

/** What the user can do about a row on its own, if anything. */
function action(row, i, ctx) {
  if (SETTLED.has(row.queue?.result) || ['present', 'conflict', 'refused'].includes(row.decision)) return null;
  if (row.decision === 'present_elsewhere') return rowButton(row, 'Link it here', 'Linking…', (b) => ctx.send(null, b));
  const { first } = ctx;
  if (first === 'unknown_folder') return choiceForm(row, i, ctx, true);
  // a row whose source failed when queued (a hash Civitai does not know, a gated repo) may be given another
  if (first === 'not_found' || first === 'ambiguous' || row.queue?.result === 'failed') return choiceForm(row, i, ctx, false);
  if (['download', 'lookup_hash'].includes(row.decision)) {
    return rowButton(row, 'Download this one', 'Queueing…', (b) => ctx.send(null, b));
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
function choiceForm(row, i, ctx, withFolder) {
  const had = ctx.had || {};
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
    ctx.send(choice, submit);
  });
  return form;
}

/** The ComfyUI folders the daemon has a model type for (api/meta), for a node the loader table does not know. */
function folders() {
  return [...new Set(meta.model_types.map((t) => t.folders?.comfyui?.replace(/^models\//, '')).filter(Boolean))].sort();
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
async function candidates(row, box, current) {
  const name = baseName(row.name);
  let files = [];
  try {
    const page = await api(`api/library?${new URLSearchParams({ q: name, state: 'present', limit: 100 })}`);
    files = page.files || [];
  } catch {
    clear(box, h('p', { class: 'small mb-0' }, 'The library could not be asked which files these are.'));
    return;
  }
  if (!current()) return;
  const named = files.filter((f) => f.name === baseName(row.target || name) || f.name === name);
  clear(box, named.length ? [h('p', { class: 'small mb-1' }, 'Library files with this name; point the workflow at one of them:'),
    h('ul', { class: 'small mb-0' }, named.map((f) => h('li', {}, h('code', { class: 'text-break' }, f.path), ` (${bytes(f.size)})`)))]
    : h('p', { class: 'small mb-0' }, 'No library file has this name any more.'));
}
