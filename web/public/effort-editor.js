// The student's own estimate of the study time a deadline needs, beside it in the list. The
// planner plans that instead of its own estimate; "Use the estimate" hands it back. After a
// change the week reloads, so the plan and its shortfalls follow.
import { api } from './api.js';

/**
 * A small form for one deadline; `saved` runs after the API took the change.
 * @param {{ sourceKey: string, title: string, effortMinutes: number | null }} deadline
 * @param {() => void} saved
 */
export function effortEditor(deadline, saved) {
  const id = `effort-${encodeURIComponent(deadline.sourceKey).replace(/[^\w-]/g, '_')}`;
  const form = document.createElement('form');
  form.className = 'effort';
  const label = document.createElement('label');
  label.htmlFor = id;
  label.textContent = `Study time for ${deadline.title} (hours)`;
  const input = document.createElement('input');
  Object.assign(input, { id, type: 'number', min: '0.25', max: '100', step: '0.25', name: 'hours' });
  input.placeholder = 'estimate';
  if (deadline.effortMinutes !== null) input.value = String(deadline.effortMinutes / 60);
  const save = document.createElement('button');
  save.type = 'submit';
  save.textContent = 'Save';
  const reset = document.createElement('button');
  reset.type = 'button';
  reset.textContent = 'Use the estimate';
  reset.hidden = deadline.effortMinutes === null;
  const status = document.createElement('span');
  status.className = 'muted';
  status.setAttribute('role', 'status');

  /** @param {number | null} effortMinutes */
  const put = async (effortMinutes) => {
    save.disabled = reset.disabled = true;
    try {
      await api('PUT', `/api/v1/deadlines/${encodeURIComponent(deadline.sourceKey)}/effort`, {
        effortMinutes,
      });
      saved();
    } catch (error) {
      status.textContent = error instanceof Error ? error.message : String(error);
    } finally {
      save.disabled = reset.disabled = false;
    }
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!input.reportValidity()) return;
    put(input.value === '' ? null : Math.round(Number(input.value) * 60));
  });
  reset.addEventListener('click', () => put(null));
  form.append(label, input, save, reset, status);
  return form;
}
