// Disconnecting Google or Canvas: a button on each card opens a native dialog saying what
// stops and what stays; only its confirm button calls the API's DELETE. Escape or "Keep it
// connected" closes it, and the focus goes back to the button that opened it.
import { api } from './api.js';

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

const TARGETS = [
  { button: 'google-disconnect', dialog: 'disconnect-google-dialog', path: '/api/v1/auth/google' },
  { button: 'canvas-disconnect', dialog: 'disconnect-canvas-dialog', path: '/api/v1/canvas/connection' },
];

/**
 * Wires both buttons and dialogs once. `run` runs an action the page's way (errors shown in
 * its alert); `done` redraws the cards after a disconnect.
 * @param {(action: () => Promise<void>) => () => Promise<void>} run
 * @param {() => Promise<void>} done
 */
export function wireDisconnect(run, done) {
  for (const target of TARGETS) {
    const opener = /** @type {HTMLButtonElement} */ ($(target.button));
    const dialog = /** @type {HTMLDialogElement} */ ($(target.dialog));
    const confirm = /** @type {HTMLButtonElement} */ (dialog.querySelector('[data-confirm]'));
    opener.addEventListener('click', () => {
      dialog.showModal();
      // The safe choice has the focus: Enter alone never disconnects.
      /** @type {HTMLElement} */ (dialog.querySelector('[data-cancel]')).focus();
    });
    dialog.querySelector('[data-cancel]')?.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      if (!opener.hidden) opener.focus();
    });
    confirm.addEventListener(
      'click',
      run(async () => {
        confirm.disabled = true;
        try {
          await api('DELETE', target.path);
        } finally {
          confirm.disabled = false;
          dialog.close();
        }
        await done();
        // The card's connect button, now shown, is where the student goes next.
        /** @type {HTMLElement | null} */ (
          opener.parentElement?.querySelector('button.primary:not([hidden]), summary') ?? null
        )?.focus();
      }),
    );
  }
}
