// What the week's calendar draws: deadlines and study sessions as events, busy and unknown
// time as background shading with a word in each block (so colour is never the only signal).

/**
 * The calendar's events for one fetch of the week.
 * @param {Array<{ sourceKey: string, title: string, courseName: string | null, dueAt: string }>} deadlines
 * @param {{ busy: Array<{ start: string, end: string }>, unknown: Array<{ start: string, end: string }> }} availability
 * @param {any} plan the preview's shape (see fromCalendar), `suggested` when only suggestions
 * @param {string} timeZone
 */
export function weekEvents(deadlines, availability, plan, timeZone) {
  const titles = new Map(
    plan.deadlines.map(
      /** @param {{ deadlineId: string, title: string }} d */ (d) => [d.deadlineId, d.title],
    ),
  );
  for (const d of deadlines) if (!titles.has(d.sourceKey)) titles.set(d.sourceKey, d.title);

  return [
    ...availability.busy.map(
      /** @param {{ start: string, end: string }} b */ (b) => background(b, 'Busy', 'bg-busy'),
    ),
    ...availability.unknown.map(
      /** @param {{ start: string, end: string }} u */ (u) => background(u, 'Unknown', 'bg-unknown'),
    ),
    ...deadlines.map(
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
        // Nothing to do with a deadline on the grid: no tab stop (the list below has them all).
        interactive: false,
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
        // Only those take focus and open the move-or-remove dialog on Enter.
        interactive: !plan.suggested && Boolean(s.eventId),
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
export function fromCalendar(onCalendar, preview) {
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

/** The hour (0–23) of `instant` on the wall clock of `timeZone`, for drawing only. @param {string} instant @param {string} timeZone */
function hourIn(instant, timeZone) {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', hourCycle: 'h23' });
  return Number(format.format(new Date(instant)));
}

/** @param {{ start: string, end: string }} span @param {string} title @param {string} className */
function background(span, title, className) {
  return { start: span.start, end: span.end, title, display: 'background', classNames: [className] };
}
