// The week: FullCalendar's time grid in the student's zone, fed from the API. Deadlines and
// study sessions are events; busy and unknown time are background shading with a word in
// each block and a different pattern, so colour is never the only signal.
import { api } from './api.js';
import { effortEditor } from './effort-editor.js';
import { duration, shortfallSentence, unknownSentence } from './plain-words.js';
import { moveSession, removeSession, showLastRepair } from './plan-panel.js';
import { intlTimeZonePlugin } from './time-zone-plugin.js';

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
    ) =>
      loadWeek(info.startStr, info.endStr, zone, () => calendar.refetchEvents()).then(success, (error) => {
        failure(error);
        onError(error);
      }),
    // The arrow icons are drawn inside buttons already named by their title ("Previous
    // week"); hide them from screen readers rather than announce an unnamed image.
    datesSet: () => hideIcons(),
    eventDidMount: (
      /** @type {{ el: HTMLElement, event: { title: string, extendedProps: any } }} */ info,
    ) => {
      const editable = info.event.extendedProps.eventId;
      info.el.setAttribute(
        'title',
        editable ? `${info.event.title}. Drag to move it; select it to remove it.` : info.event.title,
      );
    },
    // Sessions on the student's calendar move by dragging (they become pinned there, as if
    // moved in Google); their length stays. Suggestions and deadlines do not move.
    editable: false,
    eventDurationEditable: false,
    eventDrop: (/** @type {any} */ info) => {
      const eventId = info.event.extendedProps.eventId;
      moveSession(eventId, info.event.start, info.event.end).then(
        () => calendar.refetchEvents(),
        (error) => {
          info.revert();
          onError(error);
        },
      );
    },
    eventClick: (/** @type {any} */ info) => {
      const eventId = info.event.extendedProps.eventId;
      if (!eventId) return;
      info.jsEvent.preventDefault();
      if (
        !window.confirm(`Remove “${info.event.title}” from your calendar? CanvasCal will not plan it again.`)
      )
        return;
      removeSession(eventId).then(() => calendar.refetchEvents(), onError);
    },
  });
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
 * @param {() => void} reload loads the week again (after the student changes an estimate)
 */
async function loadWeek(from, to, timeZone, reload) {
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
  if (onCalendar) showLastRepair(onCalendar, timeZone);
  const titles = new Map(
    plan.deadlines.map(
      /** @param {{ deadlineId: string, title: string }} d */ (d) => [d.deadlineId, d.title],
    ),
  );
  for (const d of deadlines.deadlines) if (!titles.has(d.sourceKey)) titles.set(d.sourceKey, d.title);

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

  return [
    ...availability.busy.map(
      /** @param {{ start: string, end: string }} b */ (b) => background(b, 'Busy', 'bg-busy'),
    ),
    ...availability.unknown.map(
      /** @param {{ start: string, end: string }} u */ (u) => background(u, 'Unknown', 'bg-unknown'),
    ),
    ...deadlines.deadlines.map(
      /** @param {{ sourceKey: string, title: string, courseName: string | null, dueAt: string }} d */ (
        d,
      ) => ({
        id: `deadline:${d.sourceKey}`,
        title: `Due: ${d.title}`,
        start: d.dueAt,
        // A deadline is a moment: a second long (drawn at the minimum height), so one due at
        // 23:59:59 ends by midnight and never shows again at the top of the next day.
        end: new Date(Date.parse(d.dueAt) + 1000).toISOString(),
        // In the afternoon and evening its box ends at the due time, so 23:59 stays on the grid.
        classNames: ['ev-deadline', ...(hourIn(d.dueAt, timeZone) >= 12 ? ['ev-deadline-late'] : [])],
        extendedProps: { course: d.courseName },
      }),
    ),
    ...plan.sessions.map(
      /** @param {{ deadlineId: string, start: string, end: string, pinned: boolean, eventId?: string }} s */ (
        s,
      ) => ({
        id: s.eventId ? `study:${s.eventId}` : `study:${s.deadlineId}:${s.start}`,
        title: `${plan.suggested ? 'Suggested study' : 'Study'}: ${titles.get(s.deadlineId) ?? s.deadlineId}${s.pinned ? ' (moved by you)' : ''}`,
        start: s.start,
        end: s.end,
        classNames: ['ev-study', ...(plan.suggested ? ['ev-suggested'] : [])],
        // Only a session on the calendar (not a suggestion) can be moved or removed.
        editable: !plan.suggested && Boolean(s.eventId),
        extendedProps: { eventId: plan.suggested ? null : (s.eventId ?? null) },
      }),
    ),
  ];
}

/**
 * The plan on the calendar in the preview's shape: sessions (pins marked) and, per deadline
 * short of time, its shortfall from the last repair.
 * @param {any} onCalendar GET /api/v1/plan
 * @param {any} preview POST /api/v1/planner/preview, for the deadlines' titles
 */
function fromCalendar(onCalendar, preview) {
  const shortBy = new Map(onCalendar.shortfalls.map(/** @param {any} s */ (s) => [s.deadlineId, s]));
  /** @param {any} s @param {boolean} pinned */
  const session = (s, pinned) => ({ ...s, pinned });
  /** @type {Map<string, number>} */
  const minutes = new Map();
  for (const s of [...onCalendar.sessions, ...onCalendar.pinned])
    minutes.set(
      s.deadlineId,
      (minutes.get(s.deadlineId) ?? 0) + (Date.parse(s.end) - Date.parse(s.start)) / 60_000,
    );
  const deadlines = [
    ...preview.deadlines.map(
      /** @param {any} d */ (d) => {
        const short = shortBy.get(d.deadlineId);
        shortBy.delete(d.deadlineId);
        return {
          ...d,
          plannedMinutes: minutes.get(d.deadlineId) ?? 0,
          shortfall: short ? { minutes: short.minutes, message: short.message } : null,
        };
      },
    ),
    ...[...shortBy.values()].map((s) => ({
      deadlineId: s.deadlineId,
      title: s.title,
      course: s.course,
      plannedMinutes: 0,
      shortfall: { minutes: s.minutes, message: s.message },
    })),
  ];
  return {
    suggested: false,
    sessions: [
      ...onCalendar.sessions.map(/** @param {any} s */ (s) => session(s, false)),
      ...onCalendar.pinned.map(/** @param {any} s */ (s) => session(s, true)),
    ],
    deadlines,
    notes: preview.notes,
  };
}

function hideIcons() {
  for (const icon of $('calendar').querySelectorAll('.fc-icon')) icon.setAttribute('aria-hidden', 'true');
}

/** The hour (0–23) of `instant` on the wall clock of `timeZone`, for drawing only. @param {string} instant @param {string} timeZone */
function hourIn(instant, timeZone) {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', hourCycle: 'h23' });
  return Number(format.format(new Date(instant)));
}

/** @param {{ start: string, end: string }} span @param {string} title @param {string} className */
function background(span, title, className) {
  return { start: span.start, end: span.end, title, display: 'background', classNames: [className] };
}

/**
 * @param {Array<{ sourceKey: string, title: string, courseName: string | null, dueAt: string, submitted: boolean, effortMinutes: number | null }>} deadlines
 * @param {string} timeZone
 * @param {() => void} reload
 */
function showDeadlines(deadlines, timeZone, reload) {
  const format = new Intl.DateTimeFormat(undefined, {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: 'numeric',
    minute: '2-digit',
  });
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
