// The Add view's workflow box: a dropped or picked file (ComfyUI JSON, a PNG) or pasted text (JSON or A1111
// parameters) goes to api/workflow as it is, and its plan is shown as a table. "Download all missing" sends
// the same bytes again with ?queue=true; a row's own action (link the library's copy here, pick a folder,
// give a link, download this one) goes to api/workflow/plan/{plan_id}/queue with that row alone. Each queued
// row then follows its job here through the event stream (and the job is in the Queue view like any other).

import { postRaw, post } from './api.js';
import { $, h, clear, toast, loading } from './dom.js';
import { GROUPS, SETTLED, decisionOf, sentence, baseName, planTable, planRow } from './plan-rows.js';
import { listen, forgetAll } from './plan-follow.js';

let input = null; // { body, label, type }: what the plan was made from, sent again to queue it
// the plan shown: its id, its rows as last answered, their [row, details] elements, the decision each row had
// first (its action follows it: a not_found row given a link is a download after), and the choices the daemon
// took per row (sent again with that row's next action)
let plan = null;
let generation = 0; // a newer plan replaces the rows an older answer would fill in

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
  listen();
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
  forgetAll();
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
    rows.length ? planTable(rows, (row, i) => rowOf(row, i, mine), plan.elements) : null);
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

/** A row's table rows, given what the plan knows of it. */
function rowOf(row, i, mine) {
  return planRow(row, i, { first: plan.first[i], had: plan.choices.get(i), send: (choice, b) => send(i, choice, b, mine),
    current: () => mine === generation });
}

/** Shows a row as the daemon answered it now, in the place of what it was. */
function replaceRow(i, row, mine) {
  plan.rows[i] = row;
  const next = rowOf(row, i, mine);
  plan.elements[i].forEach((old, k) => old.replaceWith(next[k]));
  plan.elements[i] = next;
  next[0].querySelector('td.status').focus(); // the control that was used is gone: its answer is read instead
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
