// The daemon's own lists (api/meta), fetched once after login: job states with their label and sentence, event
// names, model types with their folder per layout, and failure codes with their sentence. The page keeps no copy of them, so a state, event or
// code the daemon adds shows up here as it is, never as a gap. And hf_endpoint, where Hub links are resolved (a mirror's
// own links are Hub links too).

import { api } from './api.js';

export const meta = { job_states: [], job_state_texts: [], events: [], model_types: [], failure_codes: [], hf_endpoint: '' };
let texts = new Map();
let states = new Map();

export async function load() {
  Object.assign(meta, await api('api/meta'));
  texts = new Map(meta.failure_codes.map((c) => [c.code, c.text]));
  states = new Map(meta.job_state_texts.map((t) => [t.state, t]));
}

/** The daemon's label ("waiting_space" → "Waiting for space"), or the key in words. */
export const stateLabel = (state) => states.get(state)?.label
  || (state.charAt(0).toUpperCase() + state.slice(1)).replaceAll('_', ' ');

/** The daemon's sentence for a state: what the job waits for or what became of it. */
export const stateText = (state) => states.get(state)?.text || '';

/** The states of jobs that still wait for the queue, for room or for a person. */
export const unfinishedStates = () => meta.job_state_texts.filter((t) => t.unfinished).map((t) => t.state);

/** The daemon's sentence for a failure code (http_404 by its http_{status} entry), or the code in words. */
export function failureText(code) {
  if (!code) return '';
  const http = /^http_(\d{3})$/.exec(code);
  const text = http ? texts.get('http_{status}')?.replace('{status}', http[1]) : texts.get(code);
  return text || code.replaceAll('_', ' ');
}

/** The model type names, in the daemon's order. */
export const modelTypes = () => meta.model_types.map((t) => t.type);
