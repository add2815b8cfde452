// The keyboard's way to move or remove a study session (dragging needs a pointer): selecting
// a session (click, or Enter on it) opens this dialog, where buttons step its start earlier or
// later and "Move it" or "Remove it" make the same API calls a drag or a click would. Steps
// are whole minutes added to the UTC instant; the times are only shown in the student's zone.

import { dayAndTime } from './plain-words.js';

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * @typedef {{ title: string, start: Date, end: Date, timeZone: string }} SessionShown
 * @typedef {{ move(start: Date, end: Date): void, remove(): void }} SessionActions
 */

/** @type {{ session: SessionShown, actions: SessionActions, offsetMinutes: number } | undefined} */
let open;

/** Opens the dialog for one session. @param {SessionShown} session @param {SessionActions} actions */
export function openSessionDialog(session, actions) {
  open = { session, actions, offsetMinutes: 0 };
  $('session-what').textContent = session.title;
  $('session-now').textContent = `Now: ${span(session.start, session.end, session.timeZone)}`;
  showNewTime();
  /** @type {HTMLDialogElement} */ ($('session-dialog')).showModal();
}

/** Wires the dialog's buttons once, when the page loads. */
export function wireSessionDialog() {
  const dialog = /** @type {HTMLDialogElement} */ ($('session-dialog'));
  for (const button of dialog.querySelectorAll('button[data-step-minutes]')) {
    button.addEventListener('click', () => {
      if (!open) return;
      open.offsetMinutes += Number(/** @type {HTMLElement} */ (button).dataset.stepMinutes);
      showNewTime();
    });
  }
  $('session-move').addEventListener('click', () => {
    if (!open || open.offsetMinutes === 0) return;
    const shift = open.offsetMinutes * 60_000;
    const { session, actions } = open;
    dialog.close();
    actions.move(new Date(session.start.getTime() + shift), new Date(session.end.getTime() + shift));
  });
  $('session-remove').addEventListener('click', () => {
    if (!open) return;
    const { session, actions } = open;
    if (!window.confirm(`Remove “${session.title}” from your calendar? CanvasCal will not plan it again.`))
      return;
    dialog.close();
    actions.remove();
  });
  $('session-cancel').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    open = undefined;
  });
}

function showNewTime() {
  if (!open) return;
  const { session, offsetMinutes } = open;
  const shift = offsetMinutes * 60_000;
  $('session-new').textContent =
    offsetMinutes === 0
      ? 'Choose a new time with the buttons below.'
      : `New time: ${span(new Date(session.start.getTime() + shift), new Date(session.end.getTime() + shift), session.timeZone)}`;
  /** @type {HTMLButtonElement} */ ($('session-move')).disabled = offsetMinutes === 0;
}

/** "Tue, Jan 12, 3:00 PM – 4:00 PM" in the student's zone. @param {Date} start @param {Date} end @param {string} timeZone */
function span(start, end, timeZone) {
  const day = dayAndTime(timeZone);
  const time = new Intl.DateTimeFormat(undefined, { timeZone, hour: 'numeric', minute: '2-digit' });
  return `${day.format(start)} – ${time.format(end)}`;
}
