// The API's 400 answers name the field they refuse ("Invalid body: body.dailyCapMinutes: Too
// big: …; body.studyWindows.mon.0: end must be after start"). These put each part next to
// its field, in the API's own words, so the page never keeps a second copy of the rules.
import { ApiError } from './api.js';

/**
 * Field path → message, from a validation answer's message; empty when it names no field.
 * @param {string} message
 * @returns {Map<string, string>}
 */
export function fieldMessages(message) {
  const found = new Map();
  const body = message.replace(/^Invalid body: /, '');
  for (const part of body.split(/; (?=body\.)/)) {
    const match = /^body\.([\w.]+): (.*)$/s.exec(part);
    if (match?.[1] && match[2] && !found.has(match[1])) found.set(match[1], match[2]);
  }
  return found;
}

/** Hides every field message in `form` and marks its fields valid again. @param {HTMLElement} form */
export function clearFieldErrors(form) {
  for (const slot of form.querySelectorAll('.field-error')) {
    const el = /** @type {HTMLElement} */ (slot);
    el.hidden = true;
    el.textContent = '';
  }
  for (const field of form.querySelectorAll('[aria-invalid]')) field.removeAttribute('aria-invalid');
}

/**
 * Shows an API refusal next to the fields it names (the slot whose `data-field` is the
 * longest prefix of the path); resolves to false when nothing could be placed, so the caller
 * shows the message as a whole. A 400 that names no field goes to `fallback`'s slot when
 * given. The first refused field gets the focus.
 * @param {HTMLElement} form @param {unknown} error @param {string} [fallback]
 */
export function showFieldErrors(form, error, fallback) {
  if (!(error instanceof ApiError) || error.status !== 400) return false;
  const named = fieldMessages(error.message);
  if (named.size === 0 && fallback) named.set(fallback, error.message);
  const slots = [...form.querySelectorAll('.field-error[data-field]')].map(
    (el) => /** @type {HTMLElement} */ (el),
  );
  /** @type {HTMLElement | undefined} */
  let first;
  for (const [path, message] of named) {
    const slot = slots
      .filter((el) => {
        const field = el.dataset.field ?? '';
        return path === field || path.startsWith(`${field}.`);
      })
      .sort((a, b) => (b.dataset.field?.length ?? 0) - (a.dataset.field?.length ?? 0))[0];
    if (!slot) continue;
    slot.textContent = slot.textContent ? `${slot.textContent} ${message}` : message;
    slot.hidden = false;
    for (const field of form.querySelectorAll(`[aria-describedby~="${slot.id}"]`)) {
      field.setAttribute('aria-invalid', 'true');
      first ??= /** @type {HTMLElement} */ (field);
    }
  }
  first?.focus();
  return slots.some((el) => !el.hidden);
}
