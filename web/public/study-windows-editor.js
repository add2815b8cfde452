// The study windows, one group per weekday: each window a "from"/"to" pair of wall-clock
// times, with buttons to add and remove windows. The values go to the API as they are
// typed ("HH:MM"); the API says which one it refuses, next to the window.

const DAYS = [
  ['mon', 'Monday'],
  ['tue', 'Tuesday'],
  ['wed', 'Wednesday'],
  ['thu', 'Thursday'],
  ['fri', 'Friday'],
  ['sat', 'Saturday'],
  ['sun', 'Sunday'],
];

/** @typedef {{ start: string, end: string }} StudyWindow */

/** Fills `root` with one group per weekday; `show` sets the windows, `value` reads them. @param {HTMLElement} root */
export function studyWindowsEditor(root) {
  /** @type {Map<string, HTMLElement>} */
  const lists = new Map();
  for (const [key, name] of DAYS) {
    const group = document.createElement('fieldset');
    group.className = 'weekday';
    const legend = document.createElement('legend');
    legend.textContent = name;
    const list = document.createElement('ul');
    list.className = 'windows';
    list.dataset.day = key;
    const none = document.createElement('p');
    none.className = 'muted none';
    none.textContent = 'No study time.';
    const add = document.createElement('button');
    add.type = 'button';
    add.className = 'small add-window';
    add.textContent = `Add hours on ${name}`;
    add.addEventListener('click', () => {
      addRow(list, name, { start: '', end: '' });
      list.querySelector('li:last-child input')?.focus();
    });
    const error = errorSlot(`studyWindows.${key}`);
    group.append(legend, list, none, add, error);
    root.append(group);
    lists.set(key, list);
  }
  return {
    /** @param {Record<string, StudyWindow[]>} windows */
    show(windows) {
      for (const [key, name] of DAYS) {
        const list = lists.get(key);
        if (!list) continue;
        list.replaceChildren();
        for (const window of windows[key] ?? []) addRow(list, name, window);
      }
    },
    /** @returns {Record<string, StudyWindow[]>} */
    value() {
      /** @type {Record<string, StudyWindow[]>} */
      const windows = {};
      for (const [key, list] of lists)
        windows[key] = [...list.querySelectorAll('li')].map((row) => ({
          start: /** @type {HTMLInputElement} */ (row.querySelector('input[name="start"]')).value.trim(),
          end: /** @type {HTMLInputElement} */ (row.querySelector('input[name="end"]')).value.trim(),
        }));
      return windows;
    },
  };
}

/** @param {HTMLElement} list @param {string} dayName @param {StudyWindow} window */
function addRow(list, dayName, window) {
  const day = list.dataset.day ?? '';
  const index = list.children.length;
  const row = document.createElement('li');
  const error = errorSlot(`studyWindows.${day}.${index}`);
  const which = `${dayName}, window ${index + 1}`;
  row.append(
    timeField(`window-${day}-${index}-start`, 'start', 'From', which, window.start, error.id),
    timeField(`window-${day}-${index}-end`, 'end', 'to', which, window.end, error.id),
  );
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'small';
  remove.textContent = 'Remove';
  remove.setAttribute('aria-label', `Remove ${which}`);
  remove.addEventListener('click', () => {
    const windows = [...list.querySelectorAll('li')].map((li) => ({
      start: /** @type {HTMLInputElement} */ (li.querySelector('input[name="start"]')).value,
      end: /** @type {HTMLInputElement} */ (li.querySelector('input[name="end"]')).value,
    }));
    windows.splice(index, 1);
    // Renumbered, so each window's error slot keeps matching the API's index.
    list.replaceChildren();
    for (const w of windows) addRow(list, dayName, w);
    /** @type {HTMLElement | null} */ (list.parentElement?.querySelector('.add-window') ?? null)?.focus();
  });
  row.append(remove, error);
  list.append(row);
}

/**
 * @param {string} id @param {string} name @param {string} text @param {string} which
 * @param {string} value @param {string} errorId
 */
function timeField(id, name, text, which, value, errorId) {
  const label = document.createElement('label');
  label.htmlFor = id;
  label.textContent = text;
  const hidden = document.createElement('span');
  hidden.className = 'visually-hidden';
  hidden.textContent = ` (${which})`;
  label.append(hidden);
  const input = document.createElement('input');
  Object.assign(input, { id, name, type: 'text', value, placeholder: 'HH:MM', autocomplete: 'off' });
  input.className = 'time-input';
  input.inputMode = 'numeric';
  input.size = 5;
  input.setAttribute('aria-describedby', errorId);
  const box = document.createElement('span');
  box.className = 'time-field';
  box.append(label, input);
  return box;
}

/** @param {string} field */
function errorSlot(field) {
  const slot = document.createElement('p');
  slot.className = 'field-error';
  slot.id = `error-${field.replaceAll('.', '-')}`;
  slot.dataset.field = field;
  slot.hidden = true;
  return slot;
}
