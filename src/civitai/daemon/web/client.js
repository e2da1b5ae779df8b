// civitai-daemon's browser GUI: an ES module loaded by gui.html, no build step and nothing from the internet.
// It asks the daemon who the caller is (api/whoami), shows a login when a token is needed, then one view at a
// time by the URL's #fragment, kept live by the event stream.

import { api, session } from './api.js';
import * as live from './live.js';
import { $, toast } from './dom.js';
import * as meta from './meta.js';
import * as queue from './queue.js';
import * as add from './add.js';
import * as library from './library.js';
import * as metrics from './metrics.js';
import * as updates from './updates.js';

const VIEWS = { queue, add, library, metrics, updates };
let started = false;

/** Light or dark, as the system says, and again whenever it changes. */
function followTheme() {
  const dark = window.matchMedia('(prefers-color-scheme: dark)');
  const apply = () => { document.documentElement.dataset.bsTheme = dark.matches ? 'dark' : 'light'; };
  apply();
  dark.addEventListener('change', apply);
}

function route() {
  if ($('#login').hidden === false) return;
  let name = location.hash.replace(/^#/, '') || 'queue';
  if (!VIEWS[name] || (name === 'add' && !session.isAdmin())) name = 'queue';
  for (const key of Object.keys(VIEWS)) $(`#view-${key}`).hidden = key !== name;
  for (const link of document.querySelectorAll('#nav .nav-link')) {
    if (link.dataset.view === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `${name[0].toUpperCase()}${name.slice(1)} · civitai-daemon`;
  VIEWS[name].show();
}

function showLogin(reason, kind = 'warning') {
  live.stop();
  for (const key of Object.keys(VIEWS)) $(`#view-${key}`).hidden = true;
  $('#nav').hidden = true;
  $('#role').classList.add('d-none');
  $('#logout').classList.add('d-none');
  $('#login').hidden = false;
  const box = $('#login-reason');
  box.hidden = !reason;
  box.className = `alert alert-${kind}`;
  box.textContent = reason || '';
  $('#login-token').value = '';
  $('#login-token').focus();
}

async function start() {
  let me;
  try {
    me = await api('api/whoami');
  } catch (e) {
    showLogin(e.message, 'danger');
    setTimeout(start, 5000);
    return;
  }
  if (!me.role) {
    const hadToken = Boolean(session.token());
    session.forget();
    showLogin(hadToken ? `The daemon refused the token (${me.reason}). Log in again.` : null);
    return;
  }
  if (!started) {
    try {
      await meta.load(); // the views build their states, events and types from it
    } catch (e) {
      if (e.status === 401) return; // the login is shown already
      showLogin(e.message, 'danger');
      setTimeout(start, 5000);
      return;
    }
  }
  session.role = me.role;
  session.authRequired = me.auth_required;
  $('#login').hidden = true;
  $('#nav').hidden = false;
  document.body.classList.toggle('is-viewer', !session.isAdmin());
  for (const el of document.querySelectorAll('[data-admin]')) el.hidden = !session.isAdmin();
  const role = $('#role');
  role.textContent = session.isAdmin() ? 'admin' : 'viewer (read only)';
  role.classList.toggle('d-none', !session.authRequired);
  $('#logout').classList.toggle('d-none', !session.authRequired);
  if (!started) {
    Object.values(VIEWS).forEach((v) => v.init());
    live.on('resync', () => toast('Missed too many updates while away: the page was reloaded from the daemon.', 'info'));
    window.addEventListener('hashchange', route);
    started = true;
  }
  api('api/status').then((s) => { $('#version').textContent = `v${s.version}`; }).catch(() => {});
  live.connect();
  route();
}

session.onUnauthorized = (reason) => {
  const hadToken = Boolean(session.token());
  session.forget();
  showLogin(hadToken ? `The daemon refused the token (${reason}). Log in again.` : null);
};

$('#login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const token = $('#login-token').value.trim().replace(/^Bearer\s+/i, '');
  if (!token) return;
  session.save(token, $('#login-remember').checked);
  start();
});

$('#logout').addEventListener('click', () => {
  session.forget();
  showLogin('You are logged out. The token was removed from this browser.', 'info');
});

followTheme();
start();
