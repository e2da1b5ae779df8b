// The Updates view: the last check (when, models checked, updates, errors), "Check now", and each manifest
// model's update policy (auto / notify / pin), changeable here by an admin.

import { api, session } from './api.js';
import { on } from './live.js';
import { $, h, clear, date, toast, loading, errorBox, empty, debounce } from './dom.js';

const POLICIES = { auto: 'Auto: download new versions', notify: 'Notify only', pin: 'Pin: never check' };
const STATUS = { current: ['Up to date', 'success'], updated: ['Updated', 'primary'], notified: ['New version', 'info'],
  error: ['Error', 'danger'], deleted: ['Gone from Civitai', 'warning'] };
let waiting = null;

export function init() {
  $('#updates-check').addEventListener('click', check);
  const refresh = debounce(() => { if (!$('#view-updates').hidden) load({ quiet: true }); }, 500);
  for (const name of ['model.update', 'model.update.error', 'resync']) on(name, refresh);
}

export function show() {
  load();
}

async function load({ quiet = false } = {}) {
  const body = $('#updates-body');
  if (!quiet) clear(body, loading('Loading updates…'));
  try {
    const [updates, policies] = await Promise.all([api('api/updates'), api('api/updates/policies')]);
    render(updates, policies.models);
    return updates;
  } catch (e) {
    clear(body, errorBox(e, () => load()));
    return null;
  }
}

/** Starts a check, then follows it until it ends (checked once a second, for at most 10 minutes). */
async function check() {
  const button = $('#updates-check');
  button.disabled = true;
  button.textContent = 'Checking…';
  try {
    await api('api/updates/check', { method: 'POST' });
    toast('Update check started');
  } catch (e) {
    if (e.status !== 409) {
      toast(`Check now: ${e.message}`, 'danger');
      button.disabled = false;
      button.textContent = 'Check now';
      return;
    }
  }
  clearTimeout(waiting);
  const deadline = Date.now() + 600_000;
  const follow = async () => {
    const updates = await load({ quiet: true });
    if (updates?.running && Date.now() < deadline) {
      waiting = setTimeout(follow, 1000);
      return;
    }
    button.disabled = false;
    button.textContent = 'Check now';
    if (updates?.last_run) {
      const run = updates.last_run;
      toast(`Update check done: ${run.models_checked} model(s), ${run.updates} update(s), ${run.errors} error(s)`,
        run.errors ? 'warning' : 'success');
    }
  };
  follow();
}

function render(updates, models) {
  const run = updates.last_run;
  const states = new Map((run?.models || []).map((m) => [m.model_id, m]));
  clear($('#updates-body'),
    h('div', { class: 'tiles mb-4' },
      tile('Last check', run ? date(run.finished_at) : 'never', Boolean(run)),
      tile('Models checked', run ? run.models_checked : '—'),
      tile('Updates found', run ? run.updates : '—'),
      tile('Errors', run ? run.errors : '—'),
      tile('Now', updates.running ? 'checking…' : 'idle')),
    h('h2', { class: 'h6' }, 'Manifest models'),
    models.length ? h('div', { class: 'table-responsive' }, h('table', { class: 'table table-sm align-middle table-policies' },
      h('thead', {}, h('tr', {}, ['Model', 'Type', 'Version', 'Last check', 'Update policy'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, models.map((m) => row(m, states.get(m.model_id)))))) :
      empty('No manifest entry has a modelId, so there is nothing to check. Models added from Civitai have one.'));
}

function tile(label, value, text = false) {
  return h('div', { class: 'tile' }, h('div', { class: 'label' }, label), h('div', { class: `value${text ? ' is-text' : ''}` }, value));
}

function row(model, state) {
  const name = model.name || model.filename || `model ${model.model_id}`;
  const [label, kind] = state ? STATUS[state.status] || [state.status, 'secondary'] : ['Not checked yet', 'secondary'];
  let policy;
  if (session.isAdmin()) {
    policy = h('select', { class: 'form-select form-select-sm', 'aria-label': `Update policy for ${name}` },
      Object.entries(POLICIES).map(([value, text]) => h('option', { value, selected: value === model.update }, text)));
    policy.addEventListener('change', (e) => setPolicy(model, name, e.currentTarget));
  } else {
    policy = POLICIES[model.update] || model.update;
  }
  return h('tr', { 'data-model-id': model.model_id },
    h('td', { 'data-label': 'Model' }, h('div', {}, name, h('div', { class: 'small text-body-secondary' }, `model ${model.model_id}`))),
    h('td', { 'data-label': 'Type' }, model.model_type || '—'),
    h('td', { 'data-label': 'Version' }, h('div', {}, model.version_id ?? '—', state?.newest_version_id && state.newest_version_id !== model.version_id
      ? h('div', { class: 'small text-body-secondary' }, `newest ${state.newest_version_id}`) : null)),
    h('td', { 'data-label': 'Last check' }, h('div', {}, h('span', { class: `badge text-bg-${kind}` }, label),
      state?.message ? h('div', { class: 'small text-body-secondary' }, state.message) : null)),
    h('td', { 'data-label': 'Update policy' }, policy));
}

async function setPolicy(model, name, select) {
  const value = select.value;
  select.disabled = true;
  try {
    await api(`api/updates/policies/${model.model_id}`, { method: 'PUT', body: { update: value } });
    model.update = value;
    toast(`${name}: ${POLICIES[value]}`);
  } catch (e) {
    select.value = model.update;
    toast(`Update policy for ${name}: ${e.message}`, 'danger');
  } finally {
    select.disabled = false;
  }
}
