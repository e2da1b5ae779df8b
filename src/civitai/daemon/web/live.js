// The live connection: one EventSource on api/events, the indicator (live / reconnecting / offline), and
// resynchronisation. The browser's own reconnect sends Last-Event-ID, so the daemon replays what was missed;
// when the daemon cannot (it sends `reset`), every view refetches. A stream the browser gave up on, or
// dropped while offline, is reopened here with ?lastEventId=, waiting longer each time (up to 30 s).

import { api, eventsUrl, session } from './api.js';
import { meta } from './meta.js';

const LABELS = { live: 'Live', reconnecting: 'Reconnecting…', offline: 'Offline' };

const listeners = new Map();
let source = null;
let lastEventId = null;
let retryDelay = 2000;
let retryTimer = null;
let state = 'offline';
let opened = false; // the first open is no reconnect

/** fn(data, name) for each event called `name`; '*' for every event; 'resync' after a reset. */
export function on(name, fn) {
  if (!listeners.has(name)) listeners.set(name, []);
  listeners.get(name).push(fn);
}

function emit(name, data) {
  for (const fn of [...(listeners.get(name) || []), ...(name === 'resync' ? [] : listeners.get('*') || [])]) {
    try {
      fn(data, name);
    } catch (e) {
      console.warn('a live update failed', e); // one broken view must not stop the others
    }
  }
}

function show(next) {
  state = next;
  const badge = document.getElementById('connection');
  badge.dataset.state = next;
  badge.querySelector('.conn-text').textContent = LABELS[next];
  badge.title = next === 'live' ? 'Updates arrive as they happen' : next === 'reconnecting'
    ? 'The connection dropped; trying again' : 'Not connected to the daemon';
}

export function connect() {
  disconnect();
  show(state === 'live' ? 'reconnecting' : state);
  source = new EventSource(eventsUrl(lastEventId));
  source.addEventListener('open', () => {
    const wasDown = state !== 'live' && opened;
    opened = true;
    retryDelay = 2000;
    show('live');
    if (wasDown) emit('reconnected', {});
  });
  source.addEventListener('error', () => {
    if (!source) return;
    if (source.readyState === EventSource.CLOSED) {
      show('offline');
      source.close();
      source = null;
      scheduleRetry();
    } else {
      show('reconnecting');
    }
  });
  for (const name of meta.events) { // every name the daemon sends, its `reset` included
    source.addEventListener(name, (event) => {
      if (event.lastEventId) lastEventId = event.lastEventId;
      let data = {};
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      if (name === 'reset') {
        lastEventId = null;
        emit('resync', data);
      } else {
        emit(name, data);
      }
    });
  }
}

/** After the browser gave up (the daemon was down, or the token stopped working): check, then reopen. */
function scheduleRetry() {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(async () => {
    try {
      const me = await api('api/whoami');
      if (me.role) connect();
      else session.onUnauthorized(me.reason); // the token expired while the page was open
    } catch {
      scheduleRetry();
    }
  }, retryDelay);
  retryDelay = Math.min(30000, retryDelay * 2);
}

export function disconnect() {
  clearTimeout(retryTimer);
  if (source) {
    source.close();
    source = null;
  }
}

export function stop() {
  disconnect();
  show('offline');
}

// The browser says the network is gone: the stream cannot be trusted, so it is reopened (with the last
// event's id) once the network is back.
window.addEventListener('offline', () => { disconnect(); show('offline'); });
window.addEventListener('online', () => { if (opened) connect(); });
