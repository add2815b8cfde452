// The page's only door to CanvasCal: same-origin calls to /api/v1 with the bearer token in
// a header. The token lives in this tab's sessionStorage (it survives the Google consent
// round trip, and is gone when the tab closes); no cookie carries it, so no other site can
// make the browser act with it.

const TOKEN_KEY = 'canvascal.token';

/** An API answer that was not 2xx, with the API's own message. */
export class ApiError extends Error {
  /** @param {number} status @param {string} code @param {string} message */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  /** @param {string} value */
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/**
 * Calls the API and resolves to its JSON (or null for 204); rejects with an ApiError
 * carrying the API's `{ error: { code, message } }`, or a plain one when the network fails.
 * @param {string} method @param {string} path @param {unknown} [body]
 */
export async function api(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  const bearer = token.get();
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, 'network', 'CanvasCal did not answer. Is it still running?');
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a proxy's error page): say so below with the status.
  }
  if (!response.ok) {
    const error = json?.error;
    throw new ApiError(
      response.status,
      error?.code ?? 'http_error',
      error?.message ?? json?.message ?? `CanvasCal answered ${response.status}.`,
    );
  }
  return json;
}
