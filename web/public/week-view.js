// The week: FullCalendar's time grid in the student's zone, fed from the API. Deadlines and
// study sessions are events; busy and unknown time are background shading with a word in
// each block and a different pattern, so colour is never the only signal.
import { api } from './api.js';
import { effortEditor } from './effort-editor.js';
import { dayAndTime, duration, shortfallSentence, unknownSentence } from './plain-words.js';
import { moveSession, removeSession, showLastRepair } from './plan-panel.js';
import { openSessionDialog, wireSessionDialog } from './session-dialog.js';
import { intlTimeZonePlugin } from './time-zone-plugin.js';
import { fromCalendar, weekEvents } from './week-events.js';

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

const NARROW = '(max-width: 700px)';

/**
 * Builds the calendar in #calendar for `timeZone`; returns how to reload it and how to move
 * it to another zone (the first Canvas sync adopts the student's zone from Canvas).
 * @param {string} timeZone
 * @param {(error: unknown) => void} onError
 */
export function createWeekView(timeZone, onError) {
  // @ts-expect-error the global bundle from /vendor/fullcalendar.js
  const FullCalendar = window.FullCalendar;
  let zone = timeZone;
  const showZone = () => {
    $('week-zone').textContent = `Times are in your time zone, ${zone}.`;
  };
  showZone();
  const narrow = window.matchMedia(NARROW);
  // FullCalendar keeps only the events of its latest fetch; the words below the calendar
  // follow the same one. Moving to the student's zone after the first sync asks for two or
  // three ranges at once, and an older one answering last must not write its deadlines.
  let fetches = 0;
  /** @type {string | null} the session to focus when it is drawn again (after a move) */
  let refocus = null;
  const calendar = new FullCalendar.Calendar($('calendar'), {
    plugins: [intlTimeZonePlugin(FullCalendar)],
    timeZone,
    // The next seven days from today: the week a student plans is the one ahead of them.
    initialView: narrow.matches ? 'timeGridDay' : 'sevenDays',
    views: { sevenDays: { type: 'timeGrid', duration: { days: 7 }, buttonText: 'week' } },
    headerToolbar: { left: 'prev,next today', center: 'title', right: 'sevenDays,timeGridDay' },
    buttonText: { today: 'today', day: 'day' },
    allDaySlot: true,
    nowIndicator: true,
    height: 'auto',
    // The whole day, an hour a row: a deadline at 23:59 or 00:00 must never fall off the grid.
    slotDuration: '01:00:00',
    scrollTime: '07:00:00',
    eventMinHeight: 22,
    displayEventEnd: false,
    eventTimeFormat: { hour: 'numeric', minute: '2-digit', meridiem: 'short' },
    events: (
      /** @type {{ startStr: string, endStr: string }} */ info,
      /** @type {(events: object[]) => void} */ success,
      /** @type {(error: unknown) => void} */ failure,
    ) => {
      const fetch = ++fetches;
      loadWeek(
        info.startStr,
        info.endStr,
        zone,
        () => fetch === fetches,
        () => calendar.refetchEvents(),
      ).then(success, (error) => {
        failure(error);
        if (fetch === fetches) onError(error);
      });
    },
    // The arrow icons are drawn inside buttons already named by their title ("Previous
    // week"); hide them from screen readers rather than announce an unnamed image.
    datesSet: () => hideIcons(),
    eventDidMount: (
      /** @type {{ el: HTMLElement, event: { title: string, extendedProps: any } }} */ info,
    ) => {
      const editable = info.event.extendedProps.eventId;
      info.el.setAttribute(
        'title',
        editable
          ? `${info.event.title}. Drag to move it, or select it to move or remove it.`
          : info.event.title,
      );
      // A session is a button to assistive technology too (named by its text, described by
      // the title): Enter or a click opens the move-or-remove dialog.
      if (editable) {
        info.el.dataset.eventId = editable;
        // A keyboard user goes on from the session they just moved, not from the page's top.
        if (editable === refocus) {
          refocus = null;
          info.el.focus();
        }
        info.el.setAttribute('role', 'button');
        info.el.setAttribute('aria-haspopup', 'dialog');
      }
    },
    // Sessions on the student's calendar move by dragging (they become pinned there, as if
    // moved in Google); their length stays. Suggestions and deadlines do not move.
    editable: false,
    eventDurationEditable: false,
    eventDrop: (/** @type {any} */ info) => {
      const eventId = info.event.extendedProps.eventId;
      edit(moveSession(eventId, info.event.start, info.event.end), 'move', eventId);
    },
    // A click, or Enter or Space on a focused session (FullCalendar makes interactive events
    // focusable): the dialog that moves or removes it without a pointer.
    eventClick: (/** @type {any} */ info) => {
      const eventId = info.event.extendedProps.eventId;
      if (!eventId) return;
      info.jsEvent.preventDefault();
      openSessionDialog(
        { title: info.event.title, start: info.event.start, end: info.event.end, timeZone: zone },
        {
          move: (start, end) => edit(moveSession(eventId, start, end), 'move', eventId),
          remove: () => edit(removeSession(eventId), 'remove', eventId),
        },
      );
    },
  });
  /**
   * After a move or removal the calendar shows the plan as the API has it. When the API
   * refused (the session changed or went meanwhile, or a bad time), its message says why and
   * the reload shows where the session really is, rather than quietly putting it back.
   * @param {Promise<void>} work @param {'move' | 'remove'} action @param {string} eventId
   */
  const edit = (work, action, eventId) =>
    work.then(
      () => {
        if (action === 'move') refocus = eventId;
        calendar.refetchEvents();
      },
      (error) => {
        const message = error instanceof Error ? error.message : String(error);
        $('plan-status').textContent =
          `${action === 'move' ? 'Not moved' : 'Not removed'}: ${message} The calendar now shows your plan as it is.`;
        onError(error);
        calendar.refetchEvents();
      },
    );
  wireSessionDialog();
  narrow.addEventListener('change', () => calendar.changeView(narrow.matches ? 'timeGridDay' : 'sevenDays'));
  calendar.render();
  hideIcons();
  return {
    refresh: () => calendar.refetchEvents(),
    /** @param {string} next */
    setTimeZone: (next) => {
      if (next === zone) return;
      zone = next;
      showZone();
      calendar.setOption('timeZone', next);
      // "Today" in the new zone may be another day: start the days shown there.
      calendar.today();
    },
  };
}

/**
 * Everything shown for [from, to): events for the calendar, and the words below it.
 * @param {string} from @param {string} to @param {string} timeZone
 * @param {() => boolean} latest whether this is still the calendar's latest fetch (only then are the words written)
 * @param {() => void} reload loads the week again (after the student changes an estimate)
 */
async function loadWeek(from, to, timeZone, latest, reload) {
  const range = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  const [deadlines, availability, preview, onCalendar] = await Promise.all([
    api('GET', `/api/v1/deadlines?${range}`),
    // Without Google there is no busy map yet: say so instead of failing the week.
    api('GET', `/api/v1/availability?${range}`).catch((error) => ({
      busy: [],
      unknown: [],
      notes: [`Your busy time is not shown: ${error.message}`],
    })),
    api('POST', '/api/v1/planner/preview').catch((error) => ({
      sessions: [],
      deadlines: [],
      notes: [`No study plan: ${error.message}`],
    })),
    api('GET', '/api/v1/plan').catch(() => null),
  ]);
  // With automatic planning on, the week shows the sessions on the student's Google calendar
  // (and the last repair's shortfalls); off, what the planner would suggest.
  const plan = onCalendar?.autoPlan ? fromCalendar(onCalendar, preview) : { ...preview, suggested: true };
  const events = weekEvents(deadlines.deadlines, availability, plan, timeZone);
  if (!latest()) return events;
  if (onCalendar) showLastRepair(onCalendar, timeZone);
  showDeadlines(deadlines.deadlines, timeZone, reload);
  showShortfalls(
    plan.deadlines,
    new Set(deadlines.deadlines.map(/** @param {{ sourceKey: string }} d */ (d) => d.sourceKey)),
  );
  showNotes([
    ...availability.notes,
    // One sentence per calendar and reason, however many ranges it left unknown.
    ...new Set(availability.unknown.map(unknownSentence)),
    ...plan.notes,
  ]);

  return events;
}

function hideIcons() {
  for (const icon of $('calendar').querySelectorAll('.fc-icon')) icon.setAttribute('aria-hidden', 'true');
}

/**
 * @param {Array<{ sourceKey: string, title: string, courseName: string | null, dueAt: string, submitted: boolean, effortMinutes: number | null }>} deadlines
 * @param {string} timeZone
 * @param {() => void} reload
 */
function showDeadlines(deadlines, timeZone, reload) {
  const format = dayAndTime(timeZone);
  const list = $('week-deadlines');
  list.replaceChildren(
    ...(deadlines.length === 0
      ? [item('Nothing due in these days.')]
      : deadlines.map((d) => {
          const line = item(
            `${format.format(new Date(d.dueAt))}: ${d.title}${d.courseName ? ` (${d.courseName})` : ''}${d.submitted ? ', submitted' : ''}`,
          );
          if (!d.submitted) line.append(effortEditor(d, reload));
          return line;
        })),
  );
}

/**
 * The shortfalls of the deadlines shown, in words; later ones are counted, not listed.
 * @param {Array<{ deadlineId: string, title: string, course: string, plannedMinutes: number, shortfall: { minutes: number, message: string } | null }>} plans
 * @param {Set<string>} shown the deadlines in the days on screen
 */
function showShortfalls(plans, shown) {
  const short = plans.filter((p) => p.shortfall);
  const here = short.filter((p) => shown.has(p.deadlineId));
  const later = short.length - here.length;
  const items = here.map((p) => item(shortfallSentence(/** @type {any} */ (p))));
  if (here.length === 0)
    items.push(
      item(
        plans.length === 0
          ? 'No deadlines to plan for yet.'
          : `The deadlines in these days have their study time: ${duration(plans.filter((p) => shown.has(p.deadlineId)).reduce((sum, p) => sum + p.plannedMinutes, 0))} planned.`,
      ),
    );
  if (later > 0)
    items.push(
      item(
        `${later} later deadline${later === 1 ? ' is' : 's are'} short of study time too; move ahead to see them.`,
      ),
    );
  $('shortfalls').replaceChildren(...items);
}

/** @param {string[]} notes */
function showNotes(notes) {
  $('availability-notes').replaceChildren(...notes.map((text) => item(text, 'p')));
}

/** @param {string} text @param {string} [tag] */
function item(text, tag = 'li') {
  const el = document.createElement(tag);
  el.textContent = text;
  return el;
}
