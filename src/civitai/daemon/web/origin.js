// Where a library file came from when Civitai did not say: the daemon's completed downloads (api/completed, the
// newest 500), matched by path, give its URL (a Hugging Face repository and commit when the URL is the Hub's) and
// its preview sidecar; a file no download wrote was found on disk.

import { api, imageUrl } from './api.js';
import { h, clear, toast } from './dom.js';

const DOWNLOADS = 500;
let byPath = new Map();
let objectUrls = [];

/** Reloads the downloads; the previews of the last page are let go. */
export async function sources(signal) {
  objectUrls.forEach((u) => URL.revokeObjectURL(u));
  objectUrls = [];
  try {
    const page = await api(`api/completed?limit=${DOWNLOADS}`, { signal });
    byPath = new Map(page.jobs.filter((j) => j.path).map((j) => [j.path, j]));
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    byPath = new Map(); // the files still show, as found on disk
  }
}

/** The completed download that wrote this file, if one of the newest did. */
export const downloadOf = (f) => byPath.get(f.path) || null;

export function sourceOf(f) {
  const job = byPath.get(f.path);
  if (!job) return 'On disk';
  if (job.model_id) {
    return h('a', { href: `https://civitai.com/models/${job.model_id}`, target: '_blank', rel: 'noopener noreferrer' },
      `Downloaded from Civitai, model ${job.model_id}`);
  }
  let url;
  try {
    url = new URL(job.url);
  } catch {
    return 'Downloaded';
  }
  // the Hub's file URLs: /<owner>/<repo>/resolve/<revision>/<file>
  const hub = url.pathname.match(/^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\//);
  if (hub) {
    const revision = /^[0-9a-f]{40}$/.test(hub[2]) ? hub[2].slice(0, 10) : decodeURIComponent(hub[2]);
    return h('span', { title: job.url }, `Downloaded from Hugging Face ${decodeURIComponent(hub[1])} @ ${revision}`);
  }
  return h('span', { title: job.url }, `Downloaded from ${url.hostname}`);
}

/** The preview a download wrote beside the file, or nothing (a found file has none the daemon knows). */
export function preview(f) {
  const job = byPath.get(f.path);
  if (!job?.preview) return null;
  const thumb = h('div', { class: 'thumb' }, 'Loading preview…');
  imageUrl(`api/preview?path=${encodeURIComponent(job.preview)}`).then((url) => {
    objectUrls.push(url);
    clear(thumb, h('img', { src: url, alt: `Preview of ${f.name}`, loading: 'lazy' }));
  }).catch(() => clear(thumb, 'Preview unavailable'));
  return thumb;
}

/** The clipboard API needs a secure context (https or localhost); elsewhere the old way still works. */
export async function copy(text, button) {
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
