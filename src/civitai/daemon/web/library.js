// The Library view: every model file the daemon indexed (api/library), downloaded or found on disk, identified on
// Civitai or not, one page at a time, searched, filtered and sorted by the daemon; each card says where the file
// is, where it comes from and whether manifest.json tracks its model. Admins adopt identified files into the
// manifest. Above the files: the free space, the disk use per type and the scan (disks.js); beside them the
// duplicate groups (dupes.js).

import { api, post, session } from './api.js';
import { on } from './live.js';
import * as disks from './disks.js';
import * as dupes from './dupes.js';
import { sources, sourceOf, downloadOf, preview, copy } from './origin.js';
import { $, h, clear, bytes, date, loading, errorBox, empty, debounce } from './dom.js';

const PAGE = 48;
const SHOW = {
  identified: ['identified', 'true'],
  unidentified: ['identified', 'false'],
  duplicates: ['duplicates', 'true'],
};
let next = null;
let request = null;
let tracked = new Set();
let shown = 0;

export function init() {
  const reload = debounce(() => load(), 300);
  $('#library-q').addEventListener('input', reload);
  for (const id of ['#library-type', '#library-show', '#library-sort']) $(id).addEventListener('change', () => load());
  $('#library-form').addEventListener('submit', (e) => { e.preventDefault(); load(); });
  $('#library-more').addEventListener('click', () => load({ more: true }));
  $('#library-adopt-all').addEventListener('click', (e) => adopt(undefined, e.currentTarget));
  $('#library-tab-files').addEventListener('click', () => tab('files'));
  $('#library-tab-dupes').addEventListener('click', () => tab('dupes'));
  const refresh = debounce(() => { if (!$('#view-library').hidden) reloadQuietly(); }, 1500);
  on('job.completed', refresh);
  on('library.scan.finished', refresh);
  on('resync', refresh);
  disks.init();
}

export function show() {
  reloadQuietly(false);
  disks.show();
}

function reloadQuietly(quiet = true) {
  if ($('#library-dupes').hidden) load({ quiet });
  else dupes.show();
}

function tab(which) {
  const files = which === 'files';
  $('#library-files').hidden = !files;
  $('#library-dupes').hidden = files;
  for (const [id, on] of [['#library-tab-files', files], ['#library-tab-dupes', !files]]) {
    $(id).classList.toggle('active', on);
    $(id).setAttribute('aria-pressed', String(on));
  }
  if (files) load();
  else dupes.show();
}

function params(more) {
  const p = new URLSearchParams({ limit: PAGE, sort: $('#library-sort').value || 'name' });
  const q = $('#library-q').value.trim();
  if (q) p.set('q', q);
  if ($('#library-type').value) p.set('type', $('#library-type').value);
  const show = SHOW[$('#library-show').value];
  if (show) p.set(show[0], show[1]);
  if (more && next !== null) p.set('offset', next);
  return p;
}

async function load({ more = false, quiet = false } = {}) {
  const body = $('#library-body');
  request?.abort();
  const controller = new AbortController();
  request = controller;
  const query = params(more);
  if (!more && !quiet) clear(body, loading('Loading the library…'));
  try {
    const [page] = await Promise.all([
      api(`api/library?${query}`, { signal: controller.signal }),
      more ? null : loadTracked(controller.signal),
      more ? null : sources(controller.signal),
    ]);
    next = page.next_offset;
    $('#library-more').hidden = next === null || next === undefined;
    let grid = body.querySelector('.library');
    if (!more || !grid) {
      shown = 0;
      grid = h('div', { class: 'library' });
      const filtered = query.has('q') || query.has('type') || query.has('identified') || query.has('duplicates');
      clear(body, page.files.length ? grid : empty(filtered ? 'No library file matches.'
        : 'No model file indexed yet. Downloads and the files a scan finds appear here.'));
    }
    for (const file of page.files) grid.append(card(file, page.roots));
    shown += page.files.length;
    $('#library-count').textContent = page.total ? `${shown} of ${page.total} file${page.total === 1 ? '' : 's'}` : '';
  } catch (e) {
    if (e.name !== 'AbortError') clear(body, errorBox(e, () => load()));
  }
}

/** The manifest's models (what the update checker follows): a file of one of them is tracked. */
async function loadTracked(signal) {
  try {
    const answer = await api('api/updates/policies', { signal });
    tracked = new Set(answer.models.map((m) => m.model_id));
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    tracked = new Set(); // the list still shows; only the "in the manifest" badges are missing
  }
}

function card(f, roots) {
  const inManifest = f.model_id !== null && tracked.has(f.model_id);
  const thumb = preview(f);
  return h('article', { class: 'card model', 'aria-label': f.name, dataset: { id: f.id } },
    thumb,
    h('div', { class: 'card-body d-flex flex-column gap-2' },
      h('h2', { class: 'h6 mb-0' }, f.name),
      f.model_name ? h('div', { class: 'small' }, f.model_name) : null,
      h('div', { class: 'd-flex flex-wrap gap-1 badges' },
        h('span', { class: 'badge text-bg-secondary' }, f.model_type || 'other'),
        identity(f),
        inManifest ? h('span', { class: 'badge text-bg-primary tracked', title: 'manifest.json has this model: the update checker follows it' }, 'In the manifest') : null,
        f.state === 'missing' ? h('span', { class: 'badge text-bg-warning' }, 'Missing since the last scan') : null,
        f.read_only ? h('span', { class: 'badge text-bg-light border', title: 'A library root the daemon never changes' }, 'Read-only folder') : null),
      h('dl', {},
        h('dt', {}, 'Folder'), h('dd', { class: 'folder', title: f.path }, folder(f, roots)),
        h('dt', {}, 'Size'), h('dd', {}, bytes(f.size)),
        h('dt', {}, 'Modified'), h('dd', {}, date(f.modified_at)),
        h('dt', {}, 'Source'), h('dd', { class: 'source' }, source(f))),
      f.sha256 ? h('div', { class: 'sha' },
        h('code', { title: f.sha256 }, f.sha256),
        h('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary', 'aria-label': `Copy SHA-256 of ${f.name}`,
          onclick: (e) => copy(f.sha256, e.currentTarget) }, 'Copy')) : null,
      actions(f, inManifest)));
}

function identity(f) {
  if (f.identified) return h('span', { class: 'badge text-bg-success identity' }, 'Identified on Civitai');
  if (downloadOf(f)?.model_id) {
    return h('span', { class: 'badge text-bg-success identity', title: 'Identified by its hash after the next scan' }, 'Downloaded from Civitai');
  }
  if (!f.sha256) return h('span', { class: 'badge text-bg-light border identity' }, 'Not hashed yet');
  return h('span', { class: 'badge text-bg-light border identity', title: f.unknown_to_civitai_since
    ? `Civitai did not know its hash on ${date(f.unknown_to_civitai_since)}` : 'Not looked up on Civitai yet' }, 'Not identified');
}

/** The folder inside its root, and the root; the whole path is the title. */
function folder(f, roots) {
  const inside = f.path.startsWith(`${f.root}/`) ? f.path.slice(f.root.length + 1) : f.path;
  const dir = inside.includes('/') ? inside.slice(0, inside.lastIndexOf('/')) : '.';
  const writable = roots.some((r) => r.path === f.root && !r.read_only);
  return [h('span', {}, dir), h('span', { class: 'root' }, ` in ${writable ? 'the download folder' : f.root}`)];
}

function source(f) {
  if (f.identified && f.model_id) {
    const url = `https://civitai.com/models/${f.model_id}${f.version_id ? `?modelVersionId=${f.version_id}` : ''}`;
    return h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' },
      `Civitai model ${f.model_id}${f.version_id ? `, version ${f.version_id}` : ''}`);
  }
  return sourceOf(f);
}

function actions(f, inManifest) {
  const out = [];
  if (!f.identified && f.sha256 && !downloadOf(f)?.model_id) {
    // no endpoint identifies one file: each scan asks Civitai for every new hash, and an unknown one waits a day
    out.push(h('a', { class: 'btn btn-sm btn-outline-secondary', target: '_blank', rel: 'noopener noreferrer',
      href: `https://civitai.com/search/models?query=${encodeURIComponent(f.sha256)}`,
      'aria-label': `Find ${f.name} on Civitai` }, 'Find on Civitai'));
  }
  if (session.isAdmin() && f.identified && f.state === 'present' && !inManifest) {
    out.push(h('button', { type: 'button', class: 'btn btn-sm btn-outline-primary', 'aria-label': `Adopt ${f.name}`,
      onclick: (e) => adopt([f.path], e.currentTarget) }, 'Adopt'));
  }
  return out.length ? h('div', { class: 'd-flex flex-wrap gap-2 mt-auto actions' }, out) : null;
}

/** POST api/library/adopt for these paths (or every identified file) and says what the daemon did. */
async function adopt(paths, button) {
  const box = $('#library-answer');
  button.disabled = true;
  try {
    const answer = await post('api/library/adopt', paths ? { paths } : {});
    const problems = answer.problems || [];
    const kind = problems.length && !answer.added ? 'warning' : 'success';
    clear(box, h('div', { class: `alert alert-${kind} py-2 adopt-answer`, role: 'status' },
      h('div', {}, adopted(answer)),
      problems.length ? h('ul', { class: 'mb-0 small' }, problems.map((p) => h('li', {}, `${name(p.path)}: ${p.reason}`))) : null));
    await load({ quiet: true });
  } catch (e) {
    clear(box, errorBox({ message: `Could not adopt: ${e.message}` }));
  } finally {
    button.disabled = false;
  }
}

function adopted(answer) {
  const n = answer.added;
  const already = answer.already_in_manifest;
  const parts = [n ? `Adopted ${n} file${n === 1 ? '' : 's'} into manifest.json (updates: ${answer.update}).`
    : 'Nothing new was adopted.'];
  if (already) parts.push(`${already} ${already === 1 ? 'was' : 'were'} in the manifest already.`);
  if (!answer.files.length && !(answer.problems || []).length) parts.push('No file is identified on Civitai.');
  return parts.join(' ');
}

const name = (path) => path.slice(path.lastIndexOf('/') + 1);
