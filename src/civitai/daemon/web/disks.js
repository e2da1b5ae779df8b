// The Library view's summary, above its files: the free space of each file system models are on, what each
// model type takes (both from api/status), and the library scan: its live progress from the event stream while it
// runs, else how the last one went (api/library/scan).

import { api } from './api.js';
import { on } from './live.js';
import { $, h, clear, bytes, speed, duration, date, percent, debounce } from './dom.js';

const isShown = () => !$('#view-library').hidden;

export function init() {
  const refresh = debounce(() => { if (isShown()) loadSpace(); }, 1500);
  on('library.scan.progress', (e) => { if (isShown()) showScan({ running: true, progress: e }); });
  on('library.scan.finished', () => { if (isShown()) { loadScan(); loadSpace(); } });
  on('job.completed', refresh);
  on('resync', () => { if (isShown()) show(); });
}

export function show() {
  loadSpace();
  loadScan();
}

async function loadSpace() {
  try {
    showSpace(await api('api/status'));
  } catch (e) {
    clear($('#library-space'), h('div', { class: 'text-body-secondary small' }, `Disk space unavailable: ${e.message}`));
  }
}

async function loadScan() {
  try {
    showScan(await api('api/library/scan'));
  } catch (e) {
    clear($('#library-scan'), h('span', { class: 'text-body-secondary' }, `Scan state unavailable: ${e.message}`));
  }
}

function showSpace(status) {
  const disks = (status.disk_space || []).map((d) => {
    const used = d.total_bytes - d.free_bytes;
    const low = d.free_bytes < d.min_free_space; // downloads of known size wait here until there is room
    return h('li', { class: `disk${low ? ' is-low' : ''}`, 'data-path': d.path },
      h('div', { class: 'path', title: d.path }, d.path),
      meter(`Space used on ${d.path}`, percent(used, d.total_bytes), low ? 'bg-warning' : ''),
      h('div', { class: 'numbers' }, h('span', { class: 'free' }, `${bytes(d.free_bytes)} free of ${bytes(d.total_bytes)}`),
        h('span', {}, `${bytes(d.min_free_space)} kept free`)));
  });
  const types = Object.entries(status.library?.per_model_type || {}).sort((a, b) => b[1].bytes - a[1].bytes);
  const table = types.length ? h('table', { class: 'table table-sm mb-0 types' },
    h('caption', { class: 'visually-hidden' }, 'Disk use per model type'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col' }, 'Files'), h('th', { scope: 'col' }, 'Size'))),
    h('tbody', {}, types.map(([type, use]) => h('tr', { 'data-type': type },
      h('th', { scope: 'row' }, type), h('td', {}, String(use.files)), h('td', {}, bytes(use.bytes))))))
    : h('div', { class: 'text-body-secondary small' }, 'No model files indexed yet.');
  clear($('#library-space'),
    h('section', { class: 'disks', 'aria-label': 'Free space' }, h('h2', { class: 'h6' }, 'Free space'), h('ul', { class: 'list-unstyled mb-0' }, disks)),
    h('section', { class: 'use', 'aria-label': 'Disk use per type' }, h('h2', { class: 'h6' }, 'Disk use per type'), table));
}

/** A bar; its width is set through the CSSOM, which the page's CSP allows (a style attribute it refuses). */
function meter(label, pct, cls) {
  const bar = h('div', { class: `progress-bar ${cls}`.trim() });
  bar.style.width = `${pct}%`;
  return h('div', { class: 'progress', role: 'progressbar', 'aria-label': label, 'aria-valuemin': 0, 'aria-valuemax': 100,
    'aria-valuenow': Math.round(pct) }, bar);
}

/** A running scan as a bar with its numbers; else the last one's result in a line. */
function showScan(s) {
  const box = $('#library-scan');
  if (s.running && s.progress) {
    const p = s.progress;
    const left = p.eta_seconds !== null && p.eta_seconds !== undefined ? `${duration(p.eta_seconds)} left` : '';
    clear(box, h('div', { class: 'scan is-running' },
      h('div', {}, `Scanning: hashed ${p.files_done} of ${p.files_total} file${p.files_total === 1 ? '' : 's'}`),
      meter('Library scan', percent(p.bytes_done, p.bytes_total), 'progress-bar-striped progress-bar-animated'),
      h('div', { class: 'numbers' }, h('span', {}, `${bytes(p.bytes_done)} of ${bytes(p.bytes_total)}`),
        h('span', {}, speed(p.bytes_per_second)), left ? h('span', {}, left) : null)));
    return;
  }
  const last = s.last;
  clear(box, h('div', { class: 'scan' }, !last ? 'No scan has finished yet.' : [
    `Last scan${last.cancelled ? ' (cancelled)' : ''}: ${last.files} file${last.files === 1 ? '' : 's'}, ${last.hashed} hashed,`
      + ` ${last.missing} missing, finished ${date(last.finished_at)}`,
    last.error ? h('div', { class: 'reason' }, last.error) : null,
  ]));
}
