// "Delete my data" (issue 17): a button at the end of the page opens a dialog that says what
// is deleted and what is kept, and asks once more. Confirming calls DELETE /api/v1/me; the
// answer is told in words above the page, which then returns to signed out. The dialog is the
// browser's own modal <dialog>: focus starts on Cancel (the safe choice), Escape closes it
// (except while deleting), and focus goes back to the button, or to the result when done.
import { api } from './api.js';

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * @typedef {{ deleted: true, channelsStopped: number, calendarsRemoved: number, grantRevoked: boolean, notes: string[] }} DeletionOutcome
 */

let busy = false;

/**
 * Wires the section and its dialog once, when the page loads.
 * @param {{ deleted(): Promise<void> | void }} hooks `deleted`: sign out (the data is gone).
 */
export function wireDeleteData(hooks) {
  const dialog = /** @type {HTMLDialogElement} */ ($('delete-data-dialog'));
  const opener = $('delete-data-open');
  const confirmButton = /** @type {HTMLButtonElement} */ ($('delete-data-confirm'));
  const cancelButton = /** @type {HTMLButtonElement} */ ($('delete-data-cancel'));
  const removeCalendars = /** @type {HTMLInputElement} */ ($('delete-data-calendars'));

  opener.addEventListener('click', () => {
    removeCalendars.checked = false;
    showError(undefined);
    $('delete-data-status').textContent = '';
    dialog.showModal();
    cancelButton.focus();
  });
  cancelButton.addEventListener('click', () => dialog.close());
  // Escape while the request runs would hide an answer the student is waiting for.
  dialog.addEventListener('cancel', (event) => {
    if (busy) event.preventDefault();
  });
  dialog.addEventListener('close', () => {
    if (!$('delete-data').hidden) opener.focus();
  });
  confirmButton.addEventListener('click', async () => {
    if (busy) return;
    setBusy(true);
    showError(undefined);
    $('delete-data-status').textContent = 'Deleting your data…';
    /** @type {DeletionOutcome} */
    let outcome;
    try {
      outcome = await api('DELETE', '/api/v1/me', {
        confirm: true,
        removeCalendars: removeCalendars.checked,
      });
    } catch (error) {
      $('delete-data-status').textContent = '';
      showError(error instanceof Error ? error.message : String(error));
      setBusy(false);
      return;
    }
    setBusy(false);
    showResult(outcome, removeCalendars.checked);
    await hooks.deleted();
    dialog.close();
    $('delete-data-result').focus();
  });

  /** @param {boolean} on */
  function setBusy(on) {
    busy = on;
    confirmButton.disabled = on;
    cancelButton.disabled = on;
    removeCalendars.disabled = on;
  }
}

/**
 * Shows the section while someone is signed in; signing in again hides the last result.
 * @param {boolean} signedIn
 */
export function showDeleteData(signedIn) {
  $('delete-data').hidden = !signedIn;
  if (signedIn) $('delete-data-result').hidden = true;
}

/** @param {string | undefined} message */
function showError(message) {
  const box = $('delete-data-error');
  box.hidden = message === undefined;
  box.textContent = message ?? '';
}

/** @param {DeletionOutcome} outcome @param {boolean} calendarsAsked */
function showResult(outcome, calendarsAsked) {
  $('delete-data-result-summary').textContent = resultSentences(outcome, calendarsAsked).join(' ');
  const notes = $('delete-data-result-notes');
  notes.replaceChildren(
    ...outcome.notes.map((note) => {
      const item = document.createElement('li');
      item.textContent = note;
      return item;
    }),
  );
  $('delete-data-result').hidden = false;
}

/**
 * What was done, in words; the notes (what could not be done at Google) follow as a list.
 * @param {DeletionOutcome} outcome @param {boolean} calendarsAsked
 */
export function resultSentences(outcome, calendarsAsked) {
  const plural = (/** @type {number} */ n, /** @type {string} */ one, /** @type {string} */ many) =>
    `${n} ${n === 1 ? one : many}`;
  const sentences = ['Nothing about you is left in CanvasCal, and you are signed out.'];
  if (outcome.channelsStopped > 0)
    sentences.push(`Stopped ${plural(outcome.channelsStopped, 'live update', 'live updates')} from Google.`);
  if (outcome.grantRevoked) sentences.push('CanvasCal no longer has access to your Google account.');
  if (calendarsAsked && outcome.calendarsRemoved > 0)
    sentences.push(
      `Removed ${plural(outcome.calendarsRemoved, 'CanvasCal calendar', 'CanvasCal calendars')} from your Google Calendar.`,
    );
  else if (!calendarsAsked) sentences.push('Your calendars in Google are as they were.');
  if (outcome.notes.length > 0) sentences.push('Some things need you to finish them in Google:');
  return sentences;
}
