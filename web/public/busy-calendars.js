// Which of the student's Google calendars count as busy: their calendar list with a box each
// (GET/PUT /api/v1/settings/calendars). A calendar CanvasCal could not read over the coming
// week (GET /api/v1/availability) is marked with why, and what would fix it; so is one the
// student chose that has since left their Google list.
import { ApiError, api } from './api.js';
import { clearFieldErrors, showFieldErrors } from './field-errors.js';
import { unknownWhy } from './plain-words.js';

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

const WEEK_MS = 7 * 86_400_000;

/** What would make a calendar readable again, by the reason Google (or CanvasCal) gave. */
/** @type {Record<string, string>} */
const FIXES = {
  freeBusyNotGranted: 'Reconnect Google and allow CanvasCal to see when you are busy.',
  notInCalendarList: 'Uncheck it, or ask whoever shared it to share it with you again.',
  notFound: 'Uncheck it, or ask whoever shared it to share it with you again.',
};
const RETRY = 'CanvasCal tries again each time it plans; if this stays, uncheck it.';

/** The calendar list, with the unreadable ones marked; resolves when it is shown. */
export async function renderBusyCalendars() {
  const list = $('busy-calendar-list');
  const message = $('busy-calendars-message');
  const save = $('calendars-save');
  clearFieldErrors($('calendars-form'));
  $('calendars-status').textContent = '';
  let settings;
  try {
    settings = await api('GET', '/api/v1/settings/calendars');
  } catch (error) {
    // Without Google there is no list to choose from; the Google card says how to connect.
    if (!(error instanceof ApiError) || error.status >= 500) throw error;
    list.replaceChildren();
    showMessage(message, 'Connect Google (above) to choose which of your calendars count as busy.');
    save.hidden = true;
    return;
  }
  const now = Date.now();
  const range = `from=${new Date(now).toISOString()}&to=${new Date(now + WEEK_MS).toISOString()}`;
  // Only counted calendars are read, so only they can be found unreadable.
  const availability = await api('GET', `/api/v1/availability?${range}`).catch(() => null);
  /** @type {Map<string, string>} */
  const unreadable = new Map();
  for (const unknown of availability?.unknown ?? [])
    for (const id of unknown.calendarIds) if (!unreadable.has(id)) unreadable.set(id, unknown.reason);

  // A calendar chosen but gone is marked in its row; the API's sentence would say it twice.
  showMessage(message, settings.missing.length > 0 ? undefined : settings.message);
  const rows = settings.calendars.map(
    /** @param {{ id: string, summary: string, primary: boolean, accessRole: string, counted: boolean }} c */ (
      c,
    ) => calendarRow(c.id, c.summary, c.counted, describe(c), unreadable.get(c.id)),
  );
  // Chosen earlier but gone from the list: no box (Google would refuse it), dropped on save.
  for (const id of settings.missing) rows.push(missingRow(id));
  list.replaceChildren(...rows);
  save.hidden = rows.length === 0;
}

/** Saves the boxes ticked; resolves to true when the API took them. */
export async function saveBusyCalendars() {
  const form = $('calendars-form');
  const status = $('calendars-status');
  clearFieldErrors(form);
  const ids = [...form.querySelectorAll('input[name="calendar"]:checked')].map(
    (box) => /** @type {HTMLInputElement} */ (box).value,
  );
  status.textContent = 'Saving…';
  try {
    await api('PUT', '/api/v1/settings/calendars', { preferredCalendars: ids });
  } catch (error) {
    if (!showFieldErrors(form, error, 'preferredCalendars')) throw error;
    status.textContent = 'Not saved: see the calendars above.';
    return false;
  }
  status.textContent = 'Saved. Only the calendars ticked count as busy from now on.';
  return true;
}

/** @param {{ primary: boolean, accessRole: string }} calendar */
function describe(calendar) {
  if (calendar.primary) return 'your main calendar';
  if (calendar.accessRole === 'freeBusyReader') return 'shared with you: busy times only';
  return '';
}

/**
 * @param {string} id @param {string} name @param {boolean} checked @param {string} about
 * @param {string | undefined} reason why it could not be read, if it could not
 */
function calendarRow(id, name, checked, about, reason) {
  const row = document.createElement('li');
  const boxId = `busy-${id.replace(/[^\w-]/g, '_')}`;
  const box = document.createElement('input');
  Object.assign(box, { type: 'checkbox', id: boxId, name: 'calendar', value: id, checked });
  box.className = 'calendar-box';
  box.setAttribute('aria-describedby', 'error-preferredCalendars');
  const label = document.createElement('label');
  label.htmlFor = boxId;
  label.textContent = name;
  if (about) {
    const note = document.createElement('span');
    note.className = 'muted';
    note.textContent = ` (${about})`;
    label.append(note);
  }
  row.append(box, label);
  if (reason) {
    row.classList.add('unreadable');
    const warning = document.createElement('p');
    warning.className = 'unreadable-note';
    warning.id = `${boxId}-unreadable`;
    warning.textContent = `⚠ Could not be read: ${unknownWhy(reason)}. Its time counts as unknown, never free. ${FIXES[reason] ?? RETRY}`;
    box.setAttribute('aria-describedby', `${warning.id} error-preferredCalendars`);
    row.append(warning);
  }
  return row;
}

/** @param {string} id */
function missingRow(id) {
  const row = document.createElement('li');
  row.className = 'unreadable';
  // Google no longer lists it, so its name is gone too: only its id is left to show.
  const name = document.createElement('span');
  name.className = 'calendar-name';
  name.textContent = 'A calendar you chose earlier ';
  const which = document.createElement('span');
  which.className = 'muted';
  which.textContent = `(${id})`;
  name.append(which);
  const warning = document.createElement('p');
  warning.className = 'unreadable-note';
  warning.textContent = `⚠ Could not be read: ${unknownWhy('notInCalendarList')}. Its time counts as unknown, never free, until you save your calendars again, which drops it.`;
  row.append(name, warning);
  return row;
}

/** @param {HTMLElement} el @param {string | undefined} text */
function showMessage(el, text) {
  el.hidden = !text;
  el.textContent = text ?? '';
}

/** Wires the form once; `saved` runs after the API took a change. @param {() => void} saved */
export function wireBusyCalendars(saved) {
  $('calendars-form').addEventListener('submit', (event) => {
    event.preventDefault();
    saveBusyCalendars().then(
      (ok) => ok && saved(),
      (error) => {
        $('calendars-status').textContent =
          `Not saved: ${error instanceof Error ? error.message : String(error)}`;
      },
    );
  });
}
