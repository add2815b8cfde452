// The study plan's controls: automatic planning on or off (the planner settings' autoPlan),
// "Re-plan now" with its progress, and the last repair in one line.
import { api } from './api.js';
import { lastRepairSentence } from './plain-words.js';

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** How long "Re-plan now" waits for the repair to be recorded before saying it is queued. */
const WAIT_POLLS = 30;
/** An edit waits longer: for the edit, then for the repair the server runs a few seconds later. */
const EDIT_WAIT_POLLS = 60;
const POLL_MS = 500;

/** Shows the switch as the settings say. */
export async function renderPlanControls() {
  const settings = await api('GET', '/api/v1/settings/planner');
  /** @type {HTMLInputElement} */ ($('auto-plan')).checked = settings.autoPlan;
  $('replan-now').hidden = !settings.autoPlan;
}

/** The last repair, in words, below the switch. @param {any} plan @param {string} timeZone */
export function showLastRepair(plan, timeZone) {
  $('last-repair').textContent = plan.autoPlan ? lastRepairSentence(plan.lastRepair, timeZone) : '';
}

/**
 * Turns automatic planning on or off (the rest of the settings unchanged); the server
 * repairs the plan when the settings change, so this waits for that repair as Re-plan does.
 * @param {boolean} on
 */
export async function setAutoPlan(on) {
  const before = await api('GET', '/api/v1/plan');
  const settings = await api('GET', '/api/v1/settings/planner');
  await api('PUT', '/api/v1/settings/planner', { ...settings, autoPlan: on });
  $('replan-now').hidden = !on;
  await waitForRepair(
    before.lastRepair?.at ?? null,
    on ? 'Planning your study time…' : 'Turning planning off…',
  );
}

/** Asks for a repair now and waits (a while) for its result. */
export async function replanNow() {
  const before = await api('GET', '/api/v1/plan');
  const button = /** @type {HTMLButtonElement} */ ($('replan-now'));
  button.disabled = true;
  try {
    await api('POST', '/api/v1/plan/replan');
    await waitForRepair(before.lastRepair?.at ?? null, 'Re-planning…');
  } finally {
    button.disabled = false;
  }
}

/** @param {string | null} previousAt @param {string} working */
async function waitForRepair(previousAt, working) {
  const status = $('plan-status');
  status.textContent = working;
  for (let i = 0; i < WAIT_POLLS; i++) {
    const plan = await api('GET', '/api/v1/plan');
    if (plan.lastRepair && plan.lastRepair.at !== previousAt) {
      status.textContent =
        plan.lastRepair.outcome === 'written'
          ? `Done: ${plan.sessions.length + plan.pinned.length} study sessions on your “CanvasCal Study” calendar in Google, for every deadline ahead.`
          : plan.lastRepair.outcome === 'planning-off'
            ? 'Automatic planning is off: the sessions ahead were removed from your Google calendar.'
            : 'Done.';
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  status.textContent = 'Still working in the background; the week updates when you reload.';
}

/**
 * Moves one session (it becomes pinned there, as if moved in Google), waits until the plan
 * shows it pinned, then for the repair that plans the rest around it, so the week the caller
 * reloads next shows where every session now is. @param {string} eventId @param {Date} start
 * @param {Date} end
 */
export async function moveSession(eventId, start, end) {
  $('plan-status').textContent = 'Moving the session in Google Calendar…';
  const before = await api('GET', '/api/v1/plan');
  await api('PATCH', `/api/v1/plan/sessions/${encodeURIComponent(eventId)}`, {
    start: start.toISOString(),
    end: end.toISOString(),
  });
  await afterEdit(before.lastRepair?.at ?? null, eventId, 'pinned', {
    done: 'Moved. CanvasCal keeps it where you put it',
    repaired: 'planned the rest around it',
  });
}

/** Removes one session for good (as if deleted in Google). @param {string} eventId */
export async function removeSession(eventId) {
  $('plan-status').textContent = 'Removing the session from Google Calendar…';
  const before = await api('GET', '/api/v1/plan');
  await api('DELETE', `/api/v1/plan/sessions/${encodeURIComponent(eventId)}`);
  await afterEdit(before.lastRepair?.at ?? null, eventId, 'dropped', {
    done: 'Removed. CanvasCal will not plan it again',
    repaired: 'planned its time elsewhere where there was room',
  });
}

/**
 * Waits for the edit to show in the plan, then for the repair the server runs after it (the
 * last repair changes); says what happened in each step.
 * @param {string | null} previousAt the last repair before the edit
 * @param {string} eventId @param {'pinned' | 'dropped'} list
 * @param {{ done: string, repaired: string }} words
 */
async function afterEdit(previousAt, eventId, list, words) {
  const status = $('plan-status');
  let edited = false;
  for (let i = 0; i < EDIT_WAIT_POLLS; i++) {
    const plan = await api('GET', '/api/v1/plan');
    edited ||= plan[list].some(/** @param {{ eventId: string }} s */ (s) => s.eventId === eventId);
    const repaired = plan.lastRepair && plan.lastRepair.at !== previousAt;
    if (edited && repaired) {
      const r = plan.lastRepair;
      const changes = r.added + r.moved + r.removed;
      status.textContent = `${words.done}, and ${words.repaired}${changes > 0 ? ` (${r.added} added, ${r.moved} moved, ${r.removed} removed)` : ': nothing else had to change'}.`;
      return;
    }
    if (edited) status.textContent = `${words.done}. Re-planning the rest…`;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  status.textContent = edited
    ? `${words.done}. The rest is still being re-planned in the background; reload in a moment.`
    : 'Still writing to Google in the background; reload in a moment.';
}
