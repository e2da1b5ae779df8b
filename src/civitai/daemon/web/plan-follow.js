// A plan row whose model was queued follows its job in place: its state and progress from the event stream,
// and the job fetched again when it ends (for its size and failure reason) or after the stream was lost.

import { api } from './api.js';
import { on } from './live.js';
import { clear, bytes, percent } from './dom.js';
import { meta, stateLabel, failureText } from './meta.js';

const FINISHED = new Set(['completed', 'failed', 'cancelled', 'superseded']);
const followed = new Map(); // job id → { state, total, bytes, cell (its .plan-job), size cell, seq }

/** Subscribes once to the job events a followed row shows. */
export function listen() {
  on('job.progress', (e) => follow(e.job_id, { state: 'downloading', bytes: e.bytes, total: e.total }));
  on('job.started', (e) => follow(e.job_id, { state: 'downloading' }));
  for (const name of meta.events.filter((n) => n.startsWith('job.'))) {
    const state = name.slice('job.'.length);
    if (meta.job_states.includes(state) && state !== 'downloading') on(name, (e) => follow(e.job_id, { state }, true));
  }
  on('resync', () => followed.forEach((_, id) => refetch(id)));
  on('reconnected', () => followed.forEach((_, id) => refetch(id)));
}

/** A newer plan's rows replace every followed one. */
export function forgetAll() {
  followed.clear();
}

/** Follows job `id` in a row's `.plan-job` element and its size cell, starting from the job as it is now. */
export function track(id, cell, size) {
  followed.set(id, { state: 'queued', cell, size, seq: 0 });
  refetch(id);
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
