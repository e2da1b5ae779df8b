// Small DOM and formatting helpers. Elements are built with createElement only (never innerHTML with data),
// so names from the API can never become markup.

/** h('button', {class: 'btn', onclick: f, 'aria-label': 'Pause'}, 'Pause') */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

/** SVG elements need their namespace. */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const $ = (selector, root = document) => root.querySelector(selector);

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function bytes(n) {
  if (n === null || n === undefined) return '—';
  let v = Number(n);
  let i = 0;
  while (Math.abs(v) >= 1024 && i < UNITS.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${UNITS[i]}`;
}

export function speed(n) {
  return n === null || n === undefined ? '—' : `${bytes(Math.round(n))}/s`;
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(Number(seconds))) return '—';
  let s = Math.max(0, Math.round(Number(seconds)));
  if (s < 60) return `${s} s`;
  const d = Math.floor(s / 86400); s -= d * 86400;
  const hh = Math.floor(s / 3600); s -= hh * 3600;
  const mm = Math.floor(s / 60); s -= mm * 60;
  if (d) return `${d} d ${hh} h`;
  if (hh) return `${hh} h ${mm} min`;
  return `${mm} min ${s} s`;
}

export function date(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function percent(part, whole) {
  return whole ? Math.min(100, Math.max(0, (100 * part) / whole)) : 0;
}

/** A message that disappears by itself; errors stay until closed. */
export function toast(message, kind = 'success') {
  const close = h('button', { type: 'button', class: 'btn-close ms-2', 'aria-label': 'Close' });
  const box = h('div', { class: `alert alert-${kind} d-flex align-items-start py-2`, role: kind === 'danger' ? 'alert' : 'status' },
    h('div', { class: 'me-auto' }, message), close);
  close.addEventListener('click', () => box.remove());
  document.getElementById('toasts').append(box);
  if (kind !== 'danger') setTimeout(() => box.remove(), 5000);
  const all = document.getElementById('toasts').children;
  while (all.length > 4) all[0].remove();
}

export function loading(text = 'Loading…') {
  return h('div', { class: 'd-flex align-items-center gap-2 text-body-secondary py-3' },
    h('div', { class: 'spinner-border spinner-border-sm', 'aria-hidden': 'true' }), h('span', {}, text));
}

export function errorBox(error, retry) {
  return h('div', { class: 'alert alert-danger d-flex flex-wrap align-items-center gap-2', role: 'alert' },
    h('span', { class: 'me-auto' }, error.message || String(error)),
    retry ? h('button', { type: 'button', class: 'btn btn-sm btn-outline-danger', onclick: retry }, 'Try again') : null);
}

export function empty(text) {
  return h('div', { class: 'empty' }, text);
}

/** Calls fn at most once per `ms`, after the last call. */
export function debounce(fn, ms) {
  let timer = null;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}
