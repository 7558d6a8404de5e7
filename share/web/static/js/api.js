// Calls to the JSON API from the pages: errors become readable messages (a problem's
// `detail`), and unsafe requests carry the session's CSRF token.

export class APIError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `The server answered ${status}.`);
    this.status = status;
    this.type = (problem?.type || '').split('/').pop();
    this.problem = problem;
  }
}

export async function request(method, path, body, csrf) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (csrf) headers['X-CSRF-Token'] = csrf;
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch {
    throw new APIError(0, { detail: 'The server could not be reached. Check your connection and try again.' });
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!response.ok) throw new APIError(response.status, data);
  return data;
}

/// The CSRF token of the current browser session (a fresh one each call), or null.
export async function csrfToken() {
  try {
    const session = await request('GET', '/api/v1/auth/session');
    return session?.csrf_token || null;
  } catch {
    return null;
  }
}

/// `target` as a path of this site (path, query and fragment), or null. The URL parser decides,
/// as the browser will when it navigates: it drops tabs and newlines and reads `\` as `/`, so
/// `/\host` and `/%09/host` (decoded by URLSearchParams) would leave the site; a string check
/// would not see that. SafeRedirect.swift is the server's half.
export function safePath(target) {
  if (typeof target !== 'string' || !target.startsWith('/') || /[\\\u0000-\u001f\u007f]/.test(target)) return null;
  let url;
  try {
    url = new URL(target, location.origin);
  } catch {
    return null;
  }
  if (url.origin !== location.origin) return null;
  return url.pathname + url.search + url.hash;
}

/// Where to go after signing in: a path of this site from `?next=`, else home.
export function nextPage() {
  return safePath(new URLSearchParams(location.search).get('next') || '/') || '/';
}
