// The Queue view: one page of jobs at a time (the daemon pages by cursor, so thousands of jobs are never
// fetched at once), updated in place by the event stream; a state change refetches the page shown.

import { api, session } from './api.js';
import { on } from './live.js';
import { $, h, clear, bytes, speed, duration, percent, toast, loading, errorBox, empty, debounce } from './dom.js';
import { meta, stateLabel, stateText, unfinishedStates, failureText } from './meta.js';

const PAGE = 50;
// Shown together: verifying is the last moment of a download.
const WORKING = ['downloading', 'verifying'];
// Colours by state; a state the page does not know yet gets the neutral one.
const BADGE = {
  queued: 'text-bg-secondary', downloading: 'text-bg-primary', verifying: 'text-bg-info', paused: 'text-bg-warning',
  failed: 'text-bg-danger', cancelled: 'text-bg-light border', completed: 'text-bg-success', superseded: 'text-bg-light border',
  waiting_space: 'text-bg-warning',
};
// A filter is [key, label, states, pinned states]: built from the daemon's job states (meta.js).
let FILTERS = [];

function filters() {
  // the jobs that wait for the queue, for room or for a person (the daemon says which); WORKING ones are pinned on top
  const waiting = unfinishedStates().filter((s) => !WORKING.includes(s));
  return [
    ['unfinished', 'Unfinished', waiting.join(','), WORKING.join(',')],
    ['downloading', 'Downloading', WORKING.join(',')],
    ...meta.job_states.filter((s) => !WORKING.includes(s)).map((s) => [s, stateLabel(s), s]),
    ['all', 'All', ''],
  ];
}

const view = { filter: 'unfinished', cursors: [null], page: 0, next: null, rows: new Map(), speeds: new Map(), counts: {} };
let request = null;

export function reasonText(job) {
  if (!job.failure_reason && !job.last_error) return null;
  const words = failureText(job.failure_reason);
  if (!words) return job.last_error;
  return job.last_error && job.last_error !== words ? `${words}. ${job.last_error}` : words;
}

export function init() {
  FILTERS = filters();
  renderFilters();
  $('#queue-newer').addEventListener('click', () => { view.page = Math.max(0, view.page - 1); load(); });
  $('#queue-older').addEventListener('click', () => {
    if (!view.next) return;
    view.cursors[view.page + 1] = view.next;
    view.page++;
    load();
  });
  const refetch = debounce(() => { if (isShown()) load({ quiet: true }); else counts(); }, 400);
  on('job.progress', (e) => progress(e));
  on('job.started', (e) => { setState(e.job_id, 'downloading'); refetch(); });
  on('job.verifying', (e) => setState(e.job_id, 'verifying'));
  on('job.retrying', (e) => { const row = view.rows.get(e.job_id); if (row) row.numbers.textContent = `Retrying (attempt ${e.attempt}): ${e.reason}`; });
  // every other job event that names a state (job.superseded, job.completed …) moves its row there at once
  for (const name of meta.events.filter((n) => n.startsWith('job.'))) {
    const state = name.slice('job.'.length);
    if (!meta.job_states.includes(state) || WORKING.includes(state)) continue;
    on(name, (e) => { setState(e.job_id, state, e); view.speeds.delete(e.job_id); showSpeed(); refetch(); });
  }
  on('resync', () => load({ quiet: true }));
  on('reconnected', () => load({ quiet: true }));
}

const isShown = () => !$('#view-queue').hidden;

export function show() {
  load();
}

function renderFilters() {
  const box = $('#queue-filters');
  clear(box, FILTERS.map(([key, label]) => {
    const id = `filter-${key}`;
    const input = h('input', { type: 'radio', class: 'btn-check', name: 'queue-filter', id, value: key, checked: key === view.filter });
    input.addEventListener('change', () => { view.filter = key; view.cursors = [null]; view.page = 0; load(); });
    return [input, h('label', { class: 'btn btn-outline-secondary', for: id }, label, h('span', { class: 'count ms-1', 'data-count': key }))];
  }));
}

async function counts() {
  try {
    const status = await api('api/status');
    showCounts(status);
  } catch {
    // the list's own error says what is wrong
  }
}

function showCounts(status) {
  const j = status.jobs || {};
  const n = (...keys) => keys.reduce((sum, k) => sum + (j[k] || 0), 0);
  const numbers = Object.fromEntries(FILTERS.map(([key, , states, pinned]) =>
    [key, key === 'all' ? Object.values(j).reduce((a, b) => a + b, 0) : n(...`${states},${pinned || ''}`.split(','))]));
  view.counts = numbers;
  for (const el of document.querySelectorAll('#queue-filters [data-count]')) el.textContent = `(${numbers[el.dataset.count]})`;
  const badge = $('#nav-queue-count');
  const waiting = n(...WORKING, 'queued');
  badge.textContent = waiting;
  badge.classList.toggle('d-none', waiting === 0);
  badge.setAttribute('aria-label', `${waiting} waiting or downloading`);
  view.speeds.clear();
  for (const a of status.active || []) view.speeds.set(a.id, { bps: a.bytes_per_second, at: Date.now() });
  showSpeed();
}

/** The sum over downloads heard from in the last 5 s (a finished one stops reporting). */
function showSpeed() {
  const now = Date.now();
  const live = [...view.speeds.values()].filter((s) => now - s.at < 5000);
  const total = live.reduce((sum, s) => sum + s.bps, 0);
  $('#queue-speed').textContent = live.length ? `${live.length} downloading · ${speed(total)}` : '';
}

async function load({ quiet = false } = {}) {
  const body = $('#queue-body');
  request?.abort();
  const controller = new AbortController();
  request = controller;
  const filter = FILTERS.find(([key]) => key === view.filter);
  const params = new URLSearchParams({ limit: PAGE });
  if (filter[2]) params.set('state', filter[2]);
  const cursor = view.cursors[view.page];
  if (cursor) params.set('cursor', cursor);
  if (!quiet) clear(body, loading('Loading jobs…'));
  body.setAttribute('aria-busy', 'true');
  try {
    const pinned = filter[3] && view.page === 0
      ? api(`api/jobs?limit=${PAGE}&state=${filter[3]}`, { signal: controller.signal }) : Promise.resolve({ jobs: [] });
    const [page, running, status] = await Promise.all([api(`api/jobs?${params}`, { signal: controller.signal }), pinned,
      api('api/status', { signal: controller.signal })]);
    showCounts(status);
    render(page, running.jobs);
  } catch (e) {
    if (e.name !== 'AbortError') clear(body, errorBox(e, () => load()));
  } finally {
    if (request === controller) body.setAttribute('aria-busy', 'false');
  }
}

function render(page, running = []) {
  const body = $('#queue-body');
  const focused = document.activeElement?.dataset?.focus;
  view.next = page.next_cursor;
  view.rows.clear();
  const first = view.page * PAGE + 1;
  $('#queue-page').textContent = page.jobs.length ? `${first}–${first + page.jobs.length - 1}` : '';
  $('#queue-newer').disabled = view.page === 0;
  $('#queue-older').disabled = !view.next;
  $('#queue-pager').hidden = view.page === 0 && !view.next;
  if (!page.jobs.length && !running.length) {
    clear(body, empty(view.page > 0 ? 'Nothing more on this page.' : view.filter === 'unfinished'
      ? `Nothing to do: every job is finished. ${session.isAdmin() ? 'Add a model from the Add tab.'
        : 'New models are added by an admin; they appear here as they download.'}` : 'No jobs in this state.'));
    return;
  }
  clear(body, h('div', { class: 'jobs' }, [...running, ...page.jobs].map((job) => row(job))));
  if (focused) document.querySelector(`[data-focus="${CSS.escape(focused)}"]`)?.focus();
}

function row(job) {
  const name = job.filename || job.url;
  const bar = h('div', { class: 'progress-bar', role: 'presentation' });
  const meter = h('div', { class: 'progress', role: 'progressbar', 'aria-label': `Progress of ${name}`, 'aria-valuemin': 0, 'aria-valuemax': 100 }, bar);
  const numbers = h('div', { class: 'numbers' });
  const reason = h('div', { class: 'reason mt-1' });
  const badge = h('span', { class: 'badge' });
  const el = h('article', { class: 'job', 'data-job-id': job.id, 'aria-label': name },
    h('div', {},
      h('div', { class: 'name' }, name),
      h('div', { class: 'facts' }, badge, h('span', {}, job.model_type),
        h('span', { class: 'size' }, job.total || job.expected_size ? bytes(job.total || job.expected_size) : 'size unknown'),
        h('span', {}, `priority ${job.priority}`), h('span', {}, `${job.attempts} attempt${job.attempts === 1 ? '' : 's'}`))),
    h('div', {}, meter, numbers, reason),
    actions(job, name));
  const r = { el, job, bar, meter, numbers, badge, reason };
  view.rows.set(job.id, r);
  paint(r);
  return el;
}

/** Redraws what changes live: state, progress, numbers. */
function paint(r) {
  const { job } = r;
  const [label, cls] = [stateLabel(job.state), BADGE[job.state] || 'text-bg-secondary'];
  r.el.className = `job is-${job.state}`;
  r.badge.className = `badge ${cls}`;
  r.badge.textContent = label;
  r.badge.title = stateText(job.state);
  const done = job.state === 'completed';
  const p = done ? 100 : percent(job.bytes, job.total);
  r.bar.style.width = `${p}%`;
  r.bar.className = `progress-bar${job.state === 'downloading' ? ' progress-bar-striped progress-bar-animated' : ''}${job.state === 'failed' ? ' bg-danger' : ''}${job.state === 'paused' ? ' bg-warning' : ''}`;
  r.meter.setAttribute('aria-valuenow', Math.round(p));
  const waits = ['queued', 'waiting_space'].includes(job.state); // its state's sentence says what it waits for
  const nothingYet = !job.bytes && (waits || ['failed', 'cancelled', 'superseded'].includes(job.state));
  r.meter.hidden = nothingYet || job.state === 'superseded'; // a bar would say nothing the words below do not
  const parts = job.state === 'superseded' || (nothingYet && waits) ? [stateText(job.state)]
    : nothingYet ? ['Nothing downloaded']
    : [`${bytes(done ? job.total ?? job.bytes : job.bytes)}${job.total ? ` of ${bytes(job.total)}` : ''} (${Math.floor(p)}%)`];
  if (job.state === 'downloading' && job.bytes_per_second !== undefined) {
    parts.push(speed(job.bytes_per_second), job.eta_seconds !== null && job.eta_seconds !== undefined ? `${duration(job.eta_seconds)} left` : '');
  }
  if (done && job.duration_seconds) parts.push(`took ${duration(job.duration_seconds)}`);
  clear(r.numbers, parts.filter(Boolean).map((t) => h('span', {}, t)));
  const why = job.state === 'completed' ? null : reasonText(job);
  r.reason.textContent = why || '';
  r.reason.hidden = !why;
}

function progress(e) {
  view.speeds.set(e.job_id, { bps: e.bytes_per_second, at: Date.now() });
  showSpeed();
  const r = view.rows.get(e.job_id);
  if (!r) return;
  Object.assign(r.job, { state: 'downloading', bytes: e.bytes, total: e.total ?? r.job.total, bytes_per_second: e.bytes_per_second, eta_seconds: e.eta_seconds });
  paint(r);
}

/** A state event moves its row; one that says why (job.waiting_space, job.failed) shows that at once too. */
function setState(id, state, event = {}) {
  const r = view.rows.get(id);
  if (!r) return;
  r.job.state = state;
  if (event.message !== undefined) Object.assign(r.job, { last_error: event.message, failure_reason: event.reason ?? null });
  paint(r);
}

const ACTIONS = {
  queued: ['pause', 'cancel', 'remove'], downloading: ['pause', 'cancel'], verifying: [],
  paused: ['resume', 'cancel', 'remove'], failed: ['retry', 'remove'], cancelled: ['retry', 'remove'], completed: ['remove'],
  superseded: ['remove'], waiting_space: ['cancel', 'remove'],
};
const LABEL = { pause: 'Pause', resume: 'Resume', cancel: 'Cancel', retry: 'Retry', remove: 'Remove' };
const DONE = { pause: 'Paused', resume: 'Resumed', cancel: 'Cancelled', retry: 'Queued again:' };
const STYLE = { pause: 'btn-outline-secondary', resume: 'btn-outline-primary', cancel: 'btn-outline-secondary', retry: 'btn-outline-primary', remove: 'btn-outline-danger' };

function actions(job, name) {
  if (!session.isAdmin()) return h('div', { class: 'actions' });
  const buttons = (ACTIONS[job.state] || []).map((action) => h('button', {
    type: 'button', class: `btn ${STYLE[action]}`, 'data-focus': `${job.id}:${action}`,
    onclick: (e) => (action === 'remove' ? remove(job, name, e.currentTarget) : control(job, name, action, e.currentTarget)),
  }, LABEL[action]));
  const prioId = `priority-${job.id}`;
  const prio = ['queued', 'paused'].includes(job.state) ? h('div', { class: 'input-group input-group-sm prio' },
    h('label', { class: 'input-group-text', for: prioId, title: 'Higher starts first' }, 'Priority'),
    h('input', { id: prioId, type: 'number', class: 'form-control', value: job.priority, step: 1, 'data-focus': `${job.id}:priority`,
      onchange: (e) => setPriority(job, name, e.currentTarget) })) : null;
  return h('div', { class: 'actions', role: 'group', 'aria-label': `Actions for ${name}` }, prio, buttons);
}

async function control(job, name, action, button) {
  button.disabled = true;
  try {
    const answer = await api(`api/jobs/${job.id}/${action}`, { method: 'POST' });
    toast(`${DONE[action]} ${name}`);
    const r = view.rows.get(job.id);
    if (r && answer?.job) { Object.assign(r.job, answer.job); paint(r); }
  } catch (e) {
    toast(`${LABEL[action]} ${name}: ${e.message}`, 'danger');
    button.disabled = false;
    return;
  }
  load({ quiet: true });
}

async function setPriority(job, name, input) {
  const value = Number(input.value);
  if (!Number.isInteger(value)) {
    toast('The priority must be a whole number', 'danger');
    return;
  }
  input.disabled = true;
  try {
    await api(`api/jobs/${job.id}`, { method: 'PATCH', body: { priority: value } });
    toast(`Priority of ${name} is now ${value}`);
    load({ quiet: true });
  } catch (e) {
    toast(`Priority of ${name}: ${e.message}`, 'danger');
    input.value = job.priority; // back to what the daemon has
  } finally {
    input.disabled = false;
  }
}

function remove(job, name, button) {
  const dialog = $('#remove-dialog');
  $('#remove-name').textContent = name;
  $('#remove-file').checked = false;
  dialog.returnValue = '';
  dialog.addEventListener('close', async () => {
    if (dialog.returnValue !== 'remove') { button.focus(); return; }
    const deleteFile = $('#remove-file').checked;
    try {
      await api(`api/jobs/${job.id}?delete_file=${deleteFile}`, { method: 'DELETE' });
      toast(`Removed ${name}${deleteFile ? ' and deleted its file' : ' (the file stays on disk)'}`);
      load({ quiet: true });
    } catch (e) {
      toast(`Remove ${name}: ${e.message}`, 'danger');
    }
  }, { once: true });
  dialog.showModal();
}
