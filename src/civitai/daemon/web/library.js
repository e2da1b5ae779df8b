// The Library view: completed downloads, newest first, searchable by name and filtered by type (both done by
// the daemon, one page at a time), each with its preview sidecar when there is one; above them, the free space,
// the disk use per type and the scan (disks.js).

import { api, imageUrl } from './api.js';
import { on } from './live.js';
import * as disks from './disks.js';
import { $, h, clear, bytes, speed, duration, date, toast, loading, errorBox, empty, debounce } from './dom.js';

const PAGE = 48;
let next = null;
let objectUrls = [];
let request = null;

export function init() {
  const reload = debounce(() => load(), 300);
  $('#library-q').addEventListener('input', reload);
  $('#library-type').addEventListener('change', () => load());
  $('#library-form').addEventListener('submit', (e) => { e.preventDefault(); load(); });
  $('#library-more').addEventListener('click', () => load({ more: true }));
  const refresh = debounce(() => { if (!$('#view-library').hidden) load({ quiet: true }); }, 1500);
  on('job.completed', refresh);
  on('resync', refresh);
  disks.init();
}

export function show() {
  load();
  disks.show();
}

async function load({ more = false, quiet = false } = {}) {
  const body = $('#library-body');
  request?.abort();
  const controller = new AbortController();
  request = controller;
  const params = new URLSearchParams({ limit: PAGE });
  if ($('#library-q').value.trim()) params.set('q', $('#library-q').value.trim());
  if ($('#library-type').value) params.set('model_type', $('#library-type').value);
  if (more && next) params.set('cursor', next);
  if (!more && !quiet) clear(body, loading('Loading the library…'));
  try {
    const page = await api(`api/completed?${params}`, { signal: controller.signal });
    if (!more) {
      objectUrls.forEach((u) => URL.revokeObjectURL(u));
      objectUrls = [];
    }
    next = page.next_cursor;
    $('#library-more').hidden = !next;
    let grid = body.querySelector('.library');
    if (!more || !grid) {
      grid = h('div', { class: 'library' });
      clear(body, page.jobs.length ? grid : empty(params.has('q') || params.has('model_type')
        ? 'No downloaded model matches.' : 'Nothing downloaded yet. Completed downloads appear here.'));
    }
    for (const job of page.jobs) grid.append(card(job));
  } catch (e) {
    if (e.name !== 'AbortError') clear(body, errorBox(e, () => load()));
  }
}

function card(job) {
  const name = job.filename || job.url;
  const thumb = h('div', { class: job.preview ? 'thumb' : 'thumb is-empty' }, job.preview ? 'Loading preview…' : 'No preview');
  if (job.preview) {
    imageUrl(`api/preview?path=${encodeURIComponent(job.preview)}`).then((url) => {
      objectUrls.push(url);
      clear(thumb, h('img', { src: url, alt: `Preview of ${name}`, loading: 'lazy' }));
    }).catch(() => clear(thumb, 'Preview unavailable'));
  }
  const average = job.duration_seconds > 0 && job.total ? job.total / job.duration_seconds : null;
  return h('article', { class: 'card model', 'aria-label': name },
    thumb,
    h('div', { class: 'card-body d-flex flex-column gap-2' },
      h('h2', { class: 'h6 mb-0' }, name),
      h('div', {}, h('span', { class: 'badge text-bg-secondary' }, job.model_type)),
      h('dl', {},
        h('dt', {}, 'Size'), h('dd', {}, bytes(job.total ?? job.bytes)),
        h('dt', {}, 'Downloaded'), h('dd', {}, date(job.finished_at)),
        h('dt', {}, 'Took'), h('dd', {}, duration(job.duration_seconds)),
        h('dt', {}, 'Average speed'), h('dd', {}, speed(average))),
      job.sha256 ? h('div', { class: 'sha' },
        h('code', { title: job.sha256 }, job.sha256),
        h('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary', 'aria-label': `Copy SHA-256 of ${name}`,
          onclick: (e) => copy(job.sha256, e.currentTarget) }, 'Copy')) : null));
}

/** The clipboard API needs a secure context (https or localhost); elsewhere the old way still works. */
async function copy(text, button) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
    } else {
      const area = h('textarea', { class: 'visually-hidden', readonly: true });
      area.value = text;
      document.body.append(area);
      area.select();
      const ok = document.execCommand('copy');
      area.remove();
      if (!ok) throw new Error('the browser refused');
    }
    button.textContent = 'Copied';
    toast('SHA-256 copied');
    setTimeout(() => { button.textContent = 'Copy'; }, 2000);
  } catch (e) {
    toast(`Could not copy: ${e.message}`, 'danger');
  }
}
