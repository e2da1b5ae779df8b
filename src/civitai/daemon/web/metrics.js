// The Metrics view: totals, success rate, bytes, failures by reason, and downloads and bytes per day drawn as
// an inline SVG bar chart (no chart library).

import { api } from './api.js';
import { on } from './live.js';
import { $, h, svg, clear, bytes, speed, loading, errorBox, empty, debounce } from './dom.js';
import { failureText } from './meta.js';

export function init() {
  $('#metrics-refresh').addEventListener('click', () => load());
  const refresh = debounce(() => { if (!$('#view-metrics').hidden) load({ quiet: true }); }, 2000);
  for (const name of ['job.completed', 'job.failed', 'resync']) on(name, refresh);
}

export function show() {
  load();
}

async function load({ quiet = false } = {}) {
  const body = $('#metrics-body');
  if (!quiet) clear(body, loading('Loading metrics…'));
  try {
    render(await api('api/metrics'));
  } catch (e) {
    clear(body, errorBox(e, () => load()));
  }
}

function tile(label, value) {
  return h('div', { class: 'tile' }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value));
}

function render(m) {
  const jobs = m.jobs || {};
  const total = Object.values(jobs).reduce((a, b) => a + b, 0);
  const failures = Object.entries(m.failures_by_reason || {});
  clear($('#metrics-body'),
    h('div', { class: 'tiles mb-4' },
      tile('Jobs', total), tile('Completed', jobs.completed || 0), tile('Failed', jobs.failed || 0),
      tile('Waiting', (jobs.queued || 0) + (jobs.paused || 0)),
      tile('Success rate', m.success_rate === null ? '—' : `${(m.success_rate * 100).toFixed(1)} %`),
      tile('Bytes completed', bytes(m.bytes_completed)), tile('Bytes transferred', bytes(m.bytes_transferred)),
      tile('Average speed', speed(m.average_bytes_per_second)), tile('Best speed', speed(m.best_bytes_per_second)),
      tile('Retries', m.retries)),
    h('div', { class: 'row g-4' },
      h('div', { class: 'col-12 col-lg-8' },
        h('h2', { class: 'h6' }, 'Completed downloads per day'),
        chart(m.per_day || {})),
      h('div', { class: 'col-12 col-lg-4' },
        h('h2', { class: 'h6' }, 'Failures by reason'),
        failures.length ? h('table', { class: 'table table-sm' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Reason'), h('th', { scope: 'col', class: 'text-end' }, 'Jobs'))),
          h('tbody', {}, failures.map(([reason, n]) => h('tr', {}, h('td', { title: reason }, failureText(reason)), h('td', { class: 'text-end' }, n)))))
          : empty('No failures.'),
        h('h2', { class: 'h6 mt-4' }, 'By model type'),
        Object.keys(m.per_model_type || {}).length ? h('table', { class: 'table table-sm' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col', class: 'text-end' }, 'Files'),
            h('th', { scope: 'col', class: 'text-end' }, 'Bytes'))),
          h('tbody', {}, Object.entries(m.per_model_type).map(([type, t]) => h('tr', {}, h('td', {}, type),
            h('td', { class: 'text-end' }, t.count), h('td', { class: 'text-end' }, bytes(t.bytes))))))
          : empty('Nothing downloaded yet.'))));
}

/** The last 14 days (days without downloads included): a bar for the count and one for the bytes. */
export function chart(perDay) {
  const days = [];
  const today = new Date();
  for (let i = 13; i >= 0; i--) {
    const d = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - i));
    const key = d.toISOString().slice(0, 10);
    days.push({ key, count: perDay[key]?.count || 0, bytes: perDay[key]?.bytes || 0 });
  }
  const W = 700; const H = 240; const left = 34; const right = 56; const top = 12; const bottom = 28;
  const plotW = W - left - right; const plotH = H - top - bottom;
  const most = Math.max(...days.map((d) => d.count));
  const maxCount = most <= 4 ? 4 : Math.ceil(most / 4) * 4; // whole numbers at 0, half and top
  const maxBytes = Math.max(1, ...days.map((d) => d.bytes));
  const slot = plotW / days.length; const bar = Math.max(3, slot * 0.36);
  const summary = days.filter((d) => d.count).map((d) => `${d.key}: ${d.count} (${bytes(d.bytes)})`).join('; ') || 'no downloads';
  const root = svg('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `Completed downloads and bytes per day, last 14 days: ${summary}` });
  root.append(svg('title', {}, 'Completed downloads and bytes per day'));
  for (const f of [0, 0.5, 1]) {
    const y = top + plotH * (1 - f);
    root.append(svg('line', { class: 'axis', x1: left, x2: W - right, y1: y, y2: y }));
    root.append(svg('text', { x: left - 6, y: y + 4, 'text-anchor': 'end' }, Math.round(maxCount * f)));
    root.append(svg('text', { x: W - right + 6, y: y + 4 }, bytes(maxBytes * f)));
  }
  days.forEach((d, i) => {
    const x = left + i * slot + (slot - 2 * bar) / 2;
    const hc = (plotH * d.count) / maxCount; const hb = (plotH * d.bytes) / maxBytes;
    const count = svg('rect', { class: 'bar-count', x, y: top + plotH - hc, width: bar, height: hc, rx: 1.5 });
    count.append(svg('title', {}, `${d.key}: ${d.count} download${d.count === 1 ? '' : 's'}`));
    const size = svg('rect', { class: 'bar-bytes', x: x + bar, y: top + plotH - hb, width: bar, height: hb, rx: 1.5 });
    size.append(svg('title', {}, `${d.key}: ${bytes(d.bytes)}`));
    root.append(count, size);
    if (i % 2 === 1 || days.length <= 7) root.append(svg('text', { x: left + i * slot + slot / 2, y: H - 8, 'text-anchor': 'middle' }, d.key.slice(5)));
  });
  return h('figure', { class: 'mb-0' }, root,
    h('figcaption', { class: 'legend mt-1' }, h('span', {}, h('span', { class: 'swatch count' }), 'Downloads (left axis)'),
      h('span', {}, h('span', { class: 'swatch bytes' }), 'Bytes (right axis)')),
    days.every((d) => !d.count) ? h('p', { class: 'small text-body-secondary mt-2 mb-0' }, 'No downloads finished in the last 14 days.') : null);
}
