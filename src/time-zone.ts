import { Temporal } from 'temporal-polyfill';

/** Whether `id` is an IANA time zone this runtime knows (Temporal's answer, as the planner's). */
export function isTimeZone(id: string): boolean {
  try {
    Temporal.Now.instant().toZonedDateTimeISO(id);
    return true;
  } catch {
    return false;
  }
}
