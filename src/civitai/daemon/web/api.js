// The REST API as the page uses it: relative URLs only (so a reverse proxy's sub-path just works), the token
// as "Authorization: Bearer" on every call, and errors worded by the API.

const KEY = 'civitai-daemon.token';

/** An answer that was not 2xx, with the API's own words. */
export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export const session = {
  role: 'viewer',
  authRequired: false,
  onUnauthorized: () => {},

  /** The stored token: sessionStorage by default, localStorage when "remember me" was ticked. */
  token() {
    return sessionStorage.getItem(KEY) || localStorage.getItem(KEY) || null;
  },
  save(token, remember) {
    this.forget();
    (remember ? localStorage : sessionStorage).setItem(KEY, token);
  },
  forget() {
    sessionStorage.removeItem(KEY);
    localStorage.removeItem(KEY);
  },
  isAdmin() {
    return this.role === 'admin';
  },
};

/**
 * fetch with the token; returns the parsed JSON, throws ApiError. A body is sent as JSON, or as it is with
 * `contentType` (a string or a Blob, such as a dropped file).
 */
export async function api(path, { method = 'GET', body, signal, raw = false, contentType } = {}) {
  const headers = { Accept: 'application/json' };
  const token = session.token();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = contentType || 'application/json';
  const asIs = typeof body === 'string' || body instanceof Blob;
  let response;
  try {
    response = await fetch(path, {
      method, headers, signal, cache: 'no-store',
      body: body === undefined ? undefined : asIs ? body : JSON.stringify(body),
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'offline', 'The daemon cannot be reached. Is it running?');
  }
  if (response.status === 401) {
    const answer = await response.json().catch(() => ({}));
    const message = answer.error?.message || 'the daemon needs a token';
    session.onUnauthorized(message);
    throw new ApiError(401, 'unauthorized', message);
  }
  if (raw && response.ok) return response;
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) {
    const error = json?.error || {};
    throw new ApiError(response.status, error.code || `http_${response.status}`,
      error.message || `the daemon answered ${response.status}`, error.details);
  }
  return json;
}

export const post = (path, body) => api(path, { method: 'POST', body });

/** A raw body (a file's bytes or pasted text), not JSON. */
export const postRaw = (path, body, contentType) => api(path, { method: 'POST', body, contentType });

/** A preview image as an object URL (an <img src> could not carry the token). */
export async function imageUrl(path) {
  const response = await api(path, { raw: true });
  return URL.createObjectURL(await response.blob());
}

/** The event stream's URL: EventSource cannot send headers, so the token goes in the query. */
export function eventsUrl(lastEventId) {
  const params = new URLSearchParams();
  const token = session.token();
  if (token) params.set('access_token', token);
  if (lastEventId) params.set('lastEventId', lastEventId);
  const query = params.toString();
  return query ? `api/events?${query}` : 'api/events';
}
