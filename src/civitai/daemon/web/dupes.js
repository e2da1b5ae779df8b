// The Library's duplicates: files with one SHA-256 on several inodes (api/library/duplicates), the bytes each
// group wastes and all of them together; an admin keeps one copy of a group, after a confirm, and the daemon
// replaces the others in the download folder by hard links to it (api/library/dedupe), saying what it did.

import { api, post, session } from './api.js';
import { $, h, clear, bytes, loading, errorBox, empty } from './dom.js';

let request = null;

export async function show({ quiet = false } = {}) {
  const body = $('#dupes-body');
  request?.abort();
  const controller = new AbortController();
  request = controller;
  if (!quiet) clear(body, loading('Looking for duplicates…'));
  try {
    const answer = await api('api/library/duplicates', { signal: controller.signal });
    const groups = answer.groups;
    clear(body, groups.length ? [
      h('p', { class: 'dupes-total' }, `${groups.length} group${groups.length === 1 ? '' : 's'} of duplicates waste `,
        h('strong', {}, bytes(answer.wasted_bytes)), '.'),
      h('div', { class: 'vstack gap-3' }, groups.map(group)),
    ] : empty('No duplicates: every model file is on disk once (hard links count as one).'));
  } catch (e) {
    if (e.name !== 'AbortError') clear(body, errorBox(e, () => show()));
  }
}

function group(g) {
  return h('article', { class: 'card dupe-group', 'aria-label': `Copies of ${g.sha256}`, dataset: { sha256: g.sha256 } },
    h('div', { class: 'card-body vstack gap-2' },
      h('div', { class: 'd-flex flex-wrap gap-2 align-items-baseline' },
        h('h2', { class: 'h6 mb-0 me-auto' }, g.files[0]?.name || g.sha256),
        h('span', { class: 'small text-body-secondary' }, `${g.copies} copies of ${bytes(g.size)}`),
        h('span', { class: 'badge text-bg-warning wasted' }, `${bytes(g.wasted_bytes)} wasted`)),
      h('div', { class: 'sha' }, h('code', { title: g.sha256 }, g.sha256)),
      h('ul', { class: 'list-group list-group-flush' }, g.files.map((f) => h('li', {
        class: 'list-group-item d-flex flex-wrap align-items-center gap-2 px-0', dataset: { path: f.path },
      },
      h('span', { class: 'path me-auto' }, f.path),
      f.read_only ? h('span', { class: 'badge text-bg-light border' }, 'Read-only folder') : null,
      f.inode ? h('span', { class: 'small text-body-secondary inode', title: 'Paths with one inode are hard links: one file' }, f.inode) : null,
      session.isAdmin() ? h('button', { type: 'button', class: 'btn btn-sm btn-outline-primary', 'aria-label': `Keep ${f.path}`,
        onclick: (e) => confirmKeep(g, f, e.currentTarget) }, 'Keep this one') : null)))));
}

function confirmKeep(g, f, button) {
  const dialog = $('#dedupe-dialog');
  $('#dedupe-keep').textContent = f.path;
  dialog.returnValue = '';
  dialog.addEventListener('close', () => {
    if (dialog.returnValue === 'keep') keep(g, f);
    else button.focus();
  }, { once: true });
  dialog.showModal();
}

async function keep(g, f) {
  const box = $('#dupes-answer');
  clear(box, loading('Hashing the copies again and linking them…'));
  try {
    const answer = await post('api/library/dedupe', { sha256: g.sha256, keep: f.path });
    clear(box, h('div', { class: 'alert alert-success py-2 dedupe-answer', role: 'status' },
      h('div', {}, `Kept ${answer.kept}; ${bytes(answer.freed_bytes)} freed.`),
      h('ul', { class: 'mb-0 small' }, answer.actions.map((a) => h('li', { dataset: { action: a.action } },
        `${a.path}: ${WORDS[a.action] || a.action}${a.reason ? ` (${a.reason})` : ''}`)))));
    await show({ quiet: true });
  } catch (e) {
    clear(box, errorBox({ message: `Could not keep that copy: ${e.message}` }));
  }
}

const WORDS = { kept: 'kept', linked: 'replaced by a hard link to the kept copy', skipped: 'left as it is' };
