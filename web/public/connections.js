// The Google and Canvas cards: each connection's state, what Google was allowed to do, one
// button to connect or reconnect, and one to disconnect (see disconnect.js).
import { api } from './api.js';
import { renderCanvasSchools } from './canvas-schools.js';
import { connectionState, GOOGLE_SCOPES } from './plain-words.js';

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

const DISCONNECTED =
  'You disconnected Google: CanvasCal no longer reads or writes your calendars. Connect Google to start again.';

/** @param {HTMLElement} el @param {string | undefined} text */
function showMessage(el, text) {
  el.hidden = !text;
  el.textContent = text ?? '';
}

/** @param {HTMLElement} el @param {string} status */
function showState(el, status) {
  el.textContent = connectionState(status);
  el.dataset.status = status;
}

/** Shows Google's state; resolves to it. */
export async function renderGoogle() {
  const answer = await api('GET', '/api/v1/auth/google');
  // A grant the student disconnected is, to them, simply not connected: connect again.
  // (The API's message then speaks to API callers; the page says it in the card's terms.)
  const google =
    answer.status === 'disconnected' ? { ...answer, status: 'not_connected', message: DISCONNECTED } : answer;
  showState($('google-state'), google.status);
  showMessage($('google-message'), google.message);
  const granted = new Set(google.grantedScopes);
  const list = $('google-scopes');
  list.replaceChildren();
  if (google.status !== 'not_connected') {
    for (const { scope, name, enables } of GOOGLE_SCOPES) {
      const item = document.createElement('li');
      const has = granted.has(scope);
      item.className = has ? 'granted' : 'missing';
      // The words say granted or not; the mark only repeats them.
      item.textContent = `${has ? '✓ Allowed' : '✗ Not allowed'}: ${name}. CanvasCal can ${has ? '' : 'not '}${enables}.`;
      list.append(item);
    }
  }
  const button = $('google-connect');
  const missingRequired = google.status === 'connected' && !granted.has(GOOGLE_SCOPES[0]?.scope);
  button.hidden = google.status === 'connected' && !missingRequired;
  button.textContent =
    google.status === 'not_connected'
      ? 'Connect Google'
      : missingRequired
        ? 'Allow more in Google'
        : 'Reconnect Google';
  $('google-disconnect').hidden = google.status === 'not_connected';
  return google;
}

/** Sends the browser to Google's consent page; it comes back to this page when done. */
export async function connectGoogle() {
  const { url } = await api('GET', '/api/v1/auth/google/url');
  window.location.assign(url);
}

/** Shows Canvas's state; resolves to it. @param {{ demo: boolean }} options */
export async function renderCanvas(options) {
  const canvas = await api('GET', '/api/v1/canvas/connection');
  const where = canvas.baseUrl ? ` to ${canvas.baseUrl}` : '';
  showState($('canvas-state'), canvas.status);
  $('canvas-state').textContent =
    `${connectionState(canvas.status)}${canvas.status === 'not_connected' ? '' : where}`;
  showMessage($('canvas-message'), canvas.message);
  const demo = $('canvas-demo');
  demo.hidden = !options.demo || canvas.status === 'connected';
  demo.textContent =
    canvas.status === 'reconnect_needed' ? 'Reconnect the demo student' : 'Connect the demo student';
  const box = /** @type {HTMLDetailsElement} */ ($('canvas-token-box'));
  box.hidden = canvas.status === 'connected';
  if (canvas.status === 'reconnect_needed' && !options.demo) box.open = true;
  $('canvas-disconnect').hidden = canvas.status === 'not_connected';
  await renderCanvasSchools(canvas.status);
  return canvas;
}

export async function connectCanvasDemo() {
  await api('POST', '/api/v1/canvas/connection/demo');
}

/** @param {HTMLFormElement} form */
export async function connectCanvasWithToken(form) {
  const data = new FormData(form);
  await api('PUT', '/api/v1/canvas/connection', {
    baseUrl: String(data.get('baseUrl') ?? ''),
    token: String(data.get('token') ?? ''),
  });
  form.reset();
}
