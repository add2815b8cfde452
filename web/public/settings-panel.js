// The planner settings: study windows per weekday, the daily cap, session lengths, buffer,
// finish-by lead and time zone, saved with PUT /api/v1/settings/planner. The API is the only
// judge of a value: its refusal is shown next to the field it names, and nothing is saved.
// Times are wall-clock "HH:MM" strings the API reads in the chosen zone; the page does no
// time-zone arithmetic.
import { api } from './api.js';
import { clearFieldErrors, showFieldErrors } from './field-errors.js';
import { duration } from './plain-words.js';
import { studyWindowsEditor } from './study-windows-editor.js';

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** The numbers a student sets, in the API's unit (minutes), with what each one means. */
const NUMBERS = [
  { key: 'dailyCapMinutes', label: 'Most study in one day (minutes)', help: 'Sessions you moved count too.' },
  { key: 'minSessionMinutes', label: 'Shortest study session (minutes)', help: '' },
  { key: 'maxSessionMinutes', label: 'Longest study session (minutes)', help: '' },
  {
    key: 'bufferMinutes',
    label: 'Breather around busy time (minutes)',
    help: 'Kept free before and after everything in your busy calendars.',
  },
  {
    key: 'finishByLeadMinutes',
    label: 'Finish studying before a deadline (minutes ahead)',
    help: 'The last session for a deadline ends this long before it is due.',
  },
];

/** @type {Record<string, unknown> | undefined} what the API last said */
let stored;
/** @type {ReturnType<typeof studyWindowsEditor> | undefined} */
let windows;

/** Builds the form's fields once; `saved(settings)` runs after the API took a change. @param {(settings: any) => void} saved */
export function wireSettingsPanel(saved) {
  const grid = $('planner-numbers');
  for (const { key, label, help } of NUMBERS) grid.append(numberField(key, label, help));
  windows = studyWindowsEditor($('study-windows'));
  const form = /** @type {HTMLFormElement} */ ($('planner-form'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    save(form).then(
      (settings) => settings && saved(settings),
      (error) => {
        $('planner-status').textContent =
          `Not saved: ${error instanceof Error ? error.message : String(error)}`;
      },
    );
  });
}

/** Shows the stored settings in the form. */
export async function renderSettingsPanel() {
  stored = await api('GET', '/api/v1/settings/planner');
  showSettings(stored);
  $('planner-status').textContent = '';
}

/**
 * Shows the settings again when the server moved the time zone (the first Canvas sync
 * adopts the student's), so a later save does not put the old one back.
 * @param {string} timeZone
 */
export async function followTimeZone(timeZone) {
  if (stored && stored.timeZone !== timeZone) await renderSettingsPanel();
}

/** @param {any} settings */
function showSettings(settings) {
  for (const { key } of NUMBERS) {
    const input = /** @type {HTMLInputElement} */ ($(`setting-${key}`));
    input.value = String(settings[key]);
    showDuration(input);
  }
  windows?.show(settings.studyWindows);
  const select = /** @type {HTMLSelectElement} */ ($('setting-timeZone'));
  const zones = Intl.supportedValuesOf('timeZone');
  if (!zones.includes(settings.timeZone)) zones.unshift(settings.timeZone);
  select.replaceChildren(...zones.map((zone) => new Option(zone.replaceAll('_', ' '), zone)));
  select.value = settings.timeZone;
}

/** What the form says, in the API's shape. */
function formValues() {
  /** @type {Record<string, unknown>} */
  const values = { studyWindows: windows?.value() };
  for (const { key } of NUMBERS) {
    const text = /** @type {HTMLInputElement} */ ($(`setting-${key}`)).value.trim();
    // An empty or non-numeric field goes as it is, so the API names it in its words.
    values[key] = text === '' ? null : Number.isNaN(Number(text)) ? text : Number(text);
  }
  values.timeZone = /** @type {HTMLSelectElement} */ ($('setting-timeZone')).value;
  return values;
}

/** @param {HTMLFormElement} form */
async function save(form) {
  clearFieldErrors(form);
  const status = $('planner-status');
  status.textContent = 'Saving…';
  const button = /** @type {HTMLButtonElement} */ (form.querySelector('button[type="submit"]'));
  button.disabled = true;
  try {
    // The fields not on this form (autoPlan above all, which the switch by the week sets)
    // are sent as the server has them now, not as they were when the form was drawn.
    const current = await api('GET', '/api/v1/settings/planner');
    stored = await api('PUT', '/api/v1/settings/planner', { ...current, ...formValues() });
  } catch (error) {
    if (!showFieldErrors(form, error)) throw error;
    status.textContent = 'Not saved: fix the fields marked, then save again.';
    return null;
  } finally {
    button.disabled = false;
  }
  showSettings(stored);
  // The server re-plans after every change; with planning on that rewrites the calendar.
  status.textContent = stored?.autoPlan
    ? 'Saved. Your plan is being re-planned.'
    : 'Saved. The suggested study sessions in your week follow the new settings.';
  return stored;
}

/** @param {string} key @param {string} label @param {string} help */
function numberField(key, label, help) {
  const box = document.createElement('div');
  box.className = 'setting';
  const id = `setting-${key}`;
  const name = document.createElement('label');
  name.htmlFor = id;
  name.textContent = label;
  const input = document.createElement('input');
  Object.assign(input, { id, name: key, type: 'text', inputMode: 'numeric', autocomplete: 'off' });
  const hint = document.createElement('p');
  hint.className = 'muted hint';
  hint.id = `hint-${key}`;
  hint.dataset.help = help;
  const error = document.createElement('p');
  error.className = 'field-error';
  error.id = `error-${key}`;
  error.dataset.field = key;
  error.hidden = true;
  input.setAttribute('aria-describedby', `${hint.id} ${error.id}`);
  input.className = 'setting-input';
  input.addEventListener('input', () => showDuration(input));
  box.append(name, input, hint, error);
  return box;
}

/** "= 4 h" beside a number of minutes, then what the field means. @param {HTMLInputElement} input */
function showDuration(input) {
  const hint = $(`hint-${input.name}`);
  const minutes = Number(input.value);
  const same =
    input.value.trim() !== '' && Number.isInteger(minutes) && minutes >= 60 ? `= ${duration(minutes)}` : '';
  hint.textContent = [same, hint.dataset.help ?? ''].filter(Boolean).join('. ');
  hint.hidden = hint.textContent === '';
}
