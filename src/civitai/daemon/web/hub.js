// A Hugging Face file before it is queued: the Add tab asks the daemon for the entry it would queue
// (POST api/download?dry_run=true resolves the link through hf_endpoint: the commit, size and the Hub's SHA-256)
// and shows it with "Queue it" and "Cancel"; a refusal (gated, not found, no access) as a sentence.

import { h, bytes } from './dom.js';
import { meta } from './meta.js';
import { copy } from './origin.js';

/** The text as an http(s) URL, or null. */
function httpUrl(text) {
  try {
    const url = new URL(String(text).trim());
    return /^https?:$/.test(url.protocol) ? url : null;
  } catch {
    return null;
  }
}

/**
 * Whether the text is a URL on the Hub: huggingface.co, or hf_endpoint's host (the daemon's api/meta; a mirror),
 * whose links the daemon resolves as Hub links too. Either is fetched through hf_endpoint.
 */
export function onHub(text) {
  const url = httpUrl(text);
  if (!url) return false;
  const host = url.host.toLowerCase();
  const endpoint = httpUrl(meta.hf_endpoint);
  return host === 'huggingface.co' || host === 'www.huggingface.co' || (!!endpoint && host === endpoint.host.toLowerCase());
}

/** Whether the text is a link to a file on the Hub ({@link onHub}): a /blob/ or /resolve/ link of a repo. */
export function isHubLink(text) {
  return onHub(text) && /^\/.+\/(blob|resolve)\/[^/]+\/./i.test(httpUrl(text).pathname);
}

/** The daemon's words as a sentence: a capital first and a full stop. */
export function sentence(message) {
  const t = String(message || '').trim();
  if (!t) return '';
  return t.charAt(0).toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.');
}

const TITLES = {
  gated: 'This repository is gated',
  unauthorized: 'The Hub did not let the daemon in',
  forbidden: 'The Hub refused the daemon\'s token',
  not_found: 'The Hub has no such file',
  hub_rate_limited: 'The Hub is busy',
};

/** A refusal of the dry run: what the Hub said, as a sentence, its Hub page (for a gated repo) a link. */
export function refusal(error) {
  const text = sentence(error.message);
  const title = TITLES[error.code];
  // "accept the licence at https://huggingface.co/org/repo and set hf_token": the page is where to accept it
  const at = /(https:\/\/huggingface\.co\/[^\s]+?)([.,;]?(\s|$))/.exec(text);
  const words = at && error.code === 'gated'
    ? [text.slice(0, at.index), h('a', { href: at[1], target: '_blank', rel: 'noopener noreferrer' }, at[1]),
      text.slice(at.index + at[1].length)]
    : [text];
  return h('div', { class: 'alert alert-danger mb-0 hub-refusal', role: 'alert', dataset: { code: error.code || '' } },
    title ? h('strong', {}, `${title}. `) : null, ...words);
}

/**
 * The entry the daemon would queue, with its two buttons. `onQueue` does the real add, `onCancel` drops the preview.
 */
export function preview(entry, { onQueue, onCancel }) {
  const id = `hub-preview-${Math.random().toString(36).slice(2, 8)}`;
  const commit = entry.commit || '';
  const queue = h('button', { type: 'button', class: 'btn btn-primary btn-sm', onclick: onQueue }, 'Queue it');
  const cancel = h('button', { type: 'button', class: 'btn btn-outline-secondary btn-sm', onclick: onCancel }, 'Cancel');
  const box = h('section', { class: 'hub-preview border rounded p-2 vstack gap-2', 'aria-labelledby': id, tabindex: '-1' },
    h('h3', { id, class: 'h6 mb-0' }, `From Hugging Face: ${entry.filename || entry.path}`),
    h('dl', { class: 'plan-details mb-0' },
      h('dt', {}, 'Repository'), h('dd', { class: 'repo' }, entry.repo),
      h('dt', {}, 'File'), h('dd', { class: 'path' }, entry.path),
      h('dt', {}, 'Commit'), h('dd', { class: 'commit' },
        h('code', { title: commit, 'aria-label': `commit ${commit}` }, commit.slice(0, 12)),
        entry.revision && entry.revision !== commit ? h('span', { class: 'text-body-secondary' }, ` (${entry.revision})`) : null),
      h('dt', {}, 'Size'), h('dd', { class: 'size' }, bytes(entry.size)),
      h('dt', {}, 'Type'), h('dd', {}, entry.model_type),
      entry.sha256 ? [h('dt', {}, 'SHA-256'), h('dd', {}, h('div', { class: 'sha' },
        h('code', { class: 'sha256', title: entry.sha256 }, entry.sha256),
        h('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary', 'aria-label': 'Copy the SHA-256',
          onclick: (e) => copy(entry.sha256, e.currentTarget) }, 'Copy')))] : null),
    h('p', { class: 'small mb-0 text-body-secondary verification' }, verification(entry)),
    h('div', { class: 'd-flex gap-2' }, queue, cancel));
  return box;
}

/** How the file will be checked: the Hub's SHA-256, or a git-stored file's bytes read and checked by the daemon. */
function verification(entry) {
  if (entry.sha256 && entry.git_sha1) {
    return 'Kept in git: the daemon read it, checked it against the Hub\'s git SHA-1, and verifies the download by its'
      + ' SHA-256, pinned to this commit.';
  }
  if (entry.sha256) return 'Verified by the Hub\'s SHA-256, pinned to this commit.';
  return 'Pinned to this commit; the Hub gives no hash for it, so it is checked by its size only.';
}
