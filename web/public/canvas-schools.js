// "Sign in to Canvas at <school>": one button per Canvas this server has a developer key for
// (OAuth2, the hosted way; the embedded default's Canvas emulator brings one). Canvas's own
// consent page sends the browser back to this page, which then shows the card connected.
import { api } from './api.js';

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** The server's list, read once: it changes only with its configuration. @type {Array<{ baseUrl: string }> | undefined} */
let schools;

/** Shows the buttons unless Canvas is connected. @param {string} status the Canvas connection's */
export async function renderCanvasSchools(status) {
  schools ??= /** @type {{ schools: Array<{ baseUrl: string }> }} */ (
    await api('GET', '/api/v1/auth/canvas/schools')
  ).schools;
  $('canvas-schools').hidden = schools.length === 0 || status === 'connected';
  $('canvas-school-list').replaceChildren(
    ...schools.map(({ baseUrl }) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.baseUrl = baseUrl;
      button.textContent = `${status === 'reconnect_needed' ? 'Sign in again' : 'Sign in'} to Canvas at ${new URL(baseUrl).host}`;
      item.append(button);
      return item;
    }),
  );
}

/** Sends the browser to the school's Canvas to authorize CanvasCal. @param {string} baseUrl */
export async function connectCanvasSchool(baseUrl) {
  const { url } = await api('GET', `/api/v1/auth/canvas/url?baseUrl=${encodeURIComponent(baseUrl)}`);
  window.location.assign(url);
}
