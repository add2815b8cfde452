// What the API's names mean to a student, in words.

const GOOGLE = 'https://www.googleapis.com/auth/';

/** Each Google permission CanvasCal may ask for, and what it lets CanvasCal do. */
export const GOOGLE_SCOPES = [
  {
    scope: `${GOOGLE}calendar.app.created`,
    name: 'Its own calendars',
    enables: 'put your Canvas deadlines and study sessions on calendars CanvasCal creates',
  },
  {
    scope: `${GOOGLE}calendar.calendarlist.readonly`,
    name: 'Your list of calendars',
    enables: 'see which calendars you have, so you can choose which count as busy',
  },
  {
    scope: `${GOOGLE}calendar.events.freebusy`,
    name: 'When you are busy',
    enables: 'see when you are busy (not what you are doing), to plan study time around it',
  },
  {
    scope: `${GOOGLE}calendar.events.owned.readonly`,
    name: 'Events on your main calendar (optional)',
    enables: 'notice at once when your main calendar changes, to move study sessions out of the way',
  },
];

/** "2 h", "45 min", "1 h 30 min". @param {number} minutes */
export function duration(minutes) {
  const h = Math.floor(minutes / 60);
  const m = Math.round(minutes % 60);
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/**
 * "2 h short for Essay 3: needs 6 h before Fri 5 Dec, 17:00, 4 h of study time free".
 * @param {{ title: string, course: string, shortfall: { minutes: number, message: string } }} plan
 */
export function shortfallSentence(plan) {
  const course = plan.course ? ` (${plan.course})` : '';
  return `${duration(plan.shortfall.minutes)} short for ${plan.title}${course}: ${plan.shortfall.message}.`;
}

/** @type {Record<string, string>} */
const STATES = {
  not_connected: 'Not connected',
  connected: 'Connected',
  reconnect_needed: 'Reconnect needed',
  disconnected: 'Disconnected',
};

/** @param {string} status */
export const connectionState = (status) => STATES[status] ?? status;

/** @type {Record<string, string>} */
const COUNTS = {
  read: 'items read from Canvas',
  created: 'created',
  updated: 'updated',
  deleted: 'deleted',
  unchanged: 'unchanged',
  failed: 'failed',
  undated: 'without a date',
};

/** "12 created, 0 updated, …" from a run's counts. @param {Record<string, number>} counts */
export function countsSentence(counts) {
  // The known counts in a fixed order a student reads well, then any others.
  const known = Object.keys(COUNTS).filter((key) => key in counts);
  const others = Object.keys(counts).filter((key) => !(key in COUNTS));
  const parts = [...known, ...others].map((key) => `${counts[key]} ${COUNTS[key] ?? key}`);
  return parts.length > 0 ? parts.join(', ') : 'nothing counted yet';
}

/** @type {Record<string, string>} */
const UNKNOWN_REASONS = {
  notInCalendarList: 'it is no longer in your Google calendar list',
  freeBusyNotGranted: 'CanvasCal is not allowed to see when you are busy',
  notFound: 'Google says it does not exist',
  tooManyCalendarsRequested: 'Google would not read so many calendars at once',
  groupTooBig: 'it is a group too large for Google to read',
};

/** Why a calendar could not be read, in words. @param {string} reason */
export const unknownWhy = (reason) => UNKNOWN_REASONS[reason] ?? `Google answered “${reason}”`;

/**
 * Which calendar could not be read, why, and what that means for the plan.
 * @param {{ calendarIds: string[], reason: string }} unknown
 */
export function unknownSentence(unknown) {
  const which = unknown.calendarIds.length === 1 ? 'the calendar' : 'the calendars';
  const why = unknownWhy(unknown.reason);
  return `CanvasCal could not read ${which} ${unknown.calendarIds.join(', ')} (${why}), so that time is shaded as unknown and no study time is planned over it.`;
}

/** @type {Record<string, string>} */
const REPAIR_TRIGGERS = {
  manual: 'you asked',
  settings: 'your settings changed',
  'canvas-sync': 'a Canvas sync',
  'calendar-follow': 'your calendar changed',
  daily: 'the daily check',
  proposal: 'a deadline changed',
};

/**
 * The last repair in one line: "Last re-planned Fri 5 Dec, 14:02 (you asked): 3 added,
 * 1 moved, 0 removed; 1 session you moved is kept where you put it."
 * @param {{ at: string, trigger: string, outcome: string, moved: number, added: number, removed: number, studentEdits: { pinned: number, dropped: number } } | null} repair
 * @param {string} timeZone
 */
export function lastRepairSentence(repair, timeZone) {
  if (!repair) return 'Not planned yet.';
  const when = dayAndTime(timeZone).format(new Date(repair.at));
  const why = REPAIR_TRIGGERS[repair.trigger] ?? repair.trigger;
  if (repair.outcome === 'planning-off') return `Last checked ${when} (${why}): automatic planning is off.`;
  if (repair.outcome === 'google-not-connected')
    return `Last tried ${when} (${why}): connect Google so CanvasCal can put study sessions on your calendar.`;
  if (repair.outcome === 'student-edited')
    return `Last tried ${when} (${why}): you had just moved or removed study sessions in Google, so the plan your assistant proposed was not written; ask it for a fresh one.`;
  const { pinned, dropped } = repair.studentEdits;
  const edits = [
    ...(pinned > 0
      ? [
          `${pinned} session${pinned === 1 ? '' : 's'} you moved kept where you put ${pinned === 1 ? 'it' : 'them'}`,
        ]
      : []),
    ...(dropped > 0 ? [`${dropped} you removed not planned again`] : []),
  ];
  return `Last re-planned ${when} (${why}): ${repair.added} added, ${repair.moved} moved, ${repair.removed} removed${edits.length > 0 ? `; ${edits.join(', ')}` : ''}.`;
}

/** "Tue, Dec 8, 3:00 PM": a moment on the student's wall clock, for display. @param {string} timeZone */
export function dayAndTime(timeZone) {
  return new Intl.DateTimeFormat(undefined, {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: 'numeric',
    minute: '2-digit',
  });
}
