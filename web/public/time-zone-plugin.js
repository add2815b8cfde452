// FullCalendar shows named time zones only through a plugin; this one asks the browser's
// own Intl (the IANA database the browser ships) for each zone's offset, so the page does
// no time-zone arithmetic of its own beyond display.

/** @param {string} zone */
function partsIn(zone) {
  return new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
}

/** The wall-clock fields of instant `ms` in the zone, as FullCalendar's date arrays. */
function wallClock(/** @type {Intl.DateTimeFormat} */ format, /** @type {number} */ ms) {
  /** @type {Record<string, number>} */
  const p = {};
  for (const part of format.formatToParts(new Date(ms))) p[part.type] = Number(part.value);
  return [p.year ?? 0, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0, ms % 1000];
}

/** @param {any} FullCalendar the global bundle */
export function intlTimeZonePlugin(FullCalendar) {
  class IntlNamedTimeZone extends FullCalendar.Internal.NamedTimeZoneImpl {
    /** @param {string} name */
    constructor(name) {
      super(name);
      this.format = partsIn(name);
    }
    /** Minutes east of UTC at the instant whose wall clock in this zone is `a`. @param {number[]} a */
    offsetForArray(a) {
      const asUtc = Date.UTC(a[0] ?? 0, a[1] ?? 0, a[2] ?? 1, a[3] ?? 0, a[4] ?? 0, a[5] ?? 0, a[6] ?? 0);
      // Two passes settle on the offset in force at that wall time, DST edges included.
      let offset = this.offsetAt(asUtc);
      offset = this.offsetAt(asUtc - offset * 60_000);
      return offset;
    }
    /** @param {number} ms */
    timestampToArray(ms) {
      return wallClock(this.format, ms);
    }
    /** @param {number} ms */
    offsetAt(ms) {
      const w = wallClock(this.format, ms - (ms % 1000));
      const asUtc = Date.UTC(w[0] ?? 0, w[1] ?? 0, w[2] ?? 1, w[3] ?? 0, w[4] ?? 0, w[5] ?? 0);
      return Math.round((asUtc - (ms - (ms % 1000))) / 60_000);
    }
  }
  return FullCalendar.createPlugin({
    name: 'canvascal-intl-time-zone',
    namedTimeZonedImpl: IntlNamedTimeZone,
  });
}
