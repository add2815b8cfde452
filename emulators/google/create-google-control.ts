import { ControlArgumentError, withCheckedArguments } from './control-arguments.ts';
import type { GoogleEmulatorControl } from './emulator-control.ts';
import type { EventEndpoints } from './event-endpoints.ts';
import { EmulatedGoogleError } from './google-errors.ts';
import type { Calendar, GoogleState } from './google-state.ts';
import type { OAuthEndpoints } from './oauth-endpoints.ts';
import type { PushChannels } from './push-channels.ts';
import type { RandomFaults } from './random-faults.ts';
import type { RequestCounts } from './request-counts.ts';
import type { ScriptedFaults } from './scripted-faults.ts';

/** The parts of a running emulator the control API drives. */
export interface ControlledParts {
  state: GoogleState;
  oauth: OAuthEndpoints;
  push: PushChannels;
  /** The user acting in Google Calendar's own UI: the same event rules, no OAuth scopes. */
  userEvents: EventEndpoints;
  scripted: ScriptedFaults;
  randomFaults: RandomFaults;
  counts: RequestCounts;
  /** Per-user rate-limit windows. */
  windows: { clear(): void };
  now: () => number;
  /** Puts back what a fresh emulator starts with (the demo client, the demo student). */
  reseed(control: GoogleEmulatorControl): void;
}

/** The control API of one emulator: seed, act as the user, expire, script faults, observe. */
export function createGoogleControl(parts: ControlledParts): GoogleEmulatorControl {
  const { state, oauth, push, userEvents, scripted, randomFaults, counts, windows, now } = parts;
  const calendarNamed = (calendarId: string): Calendar => {
    const calendar = state.calendars.get(calendarId);
    if (!calendar || calendar.deleted)
      throw new ControlArgumentError('calendarId', `names no calendar: ${calendarId}`);
    return calendar;
  };
  const account = (email: string, field = 'email'): void => {
    if (!state.accounts.has(email))
      throw new ControlArgumentError(field, `is not an account (addAccount first): ${email}`);
  };
  /** The user's own edits name an event that must exist on that calendar. */
  const onEvent = <R>(eventId: string, act: () => R): R => {
    try {
      return act();
    } catch (error) {
      if (error instanceof EmulatedGoogleError && error.status === 404)
        throw new ControlArgumentError('eventId', `names no event on that calendar: ${eventId}`);
      throw error;
    }
  };
  const control: GoogleEmulatorControl = {
    state,
    addClient(client) {
      if (!client.clientId || !client.clientSecret) throw new Error('clientId and clientSecret are required');
      state.clients.set(client.clientId, {
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        redirectUris: [...(client.redirectUris ?? [])],
      });
    },
    addAccount: (email, timeZone) => state.addAccount(email, timeZone).id,
    addCalendar(email, o) {
      account(email);
      const owner = o.owner ?? email;
      if (!state.accounts.has(owner)) state.addAccount(owner, o.timeZone ?? 'UTC');
      const calendar = state.addCalendar(
        owner,
        o.summary,
        o.timeZone ?? state.accounts.get(owner)?.timeZone ?? 'UTC',
      );
      if (owner !== email) state.listOf(owner).delete(calendar.id);
      state.listOf(email).set(calendar.id, {
        calendarId: calendar.id,
        accessRole: o.accessRole ?? 'owner',
        selected: o.selected ?? true,
        hidden: o.hidden ?? false,
        primary: false,
      });
      if (owner !== email)
        state.listOf(owner).set(calendar.id, {
          calendarId: calendar.id,
          accessRole: 'owner',
          selected: true,
          hidden: false,
          primary: false,
        });
      push.announceChanges();
      return calendar.id;
    },
    userInsertEvent(calendarId, event) {
      const calendar = calendarNamed(calendarId);
      const answer = userEvents.insert(calendar, calendar.owner, event);
      push.announceChanges();
      return String((answer.body as { id: string }).id);
    },
    userPatchEvent(calendarId, eventId, patch) {
      const calendar = calendarNamed(calendarId);
      onEvent(eventId, () => userEvents.patch(calendar, eventId, patch, undefined, false));
      push.announceChanges();
    },
    userDeleteEvent(calendarId, eventId) {
      const calendar = calendarNamed(calendarId);
      onEvent(eventId, () => userEvents.remove(calendar, eventId));
      push.announceChanges();
    },
    userDeleteCalendar(calendarId) {
      calendarNamed(calendarId).deleted = true;
      push.announceChanges();
    },
    userUpdateCalendarListEntry(email, calendarId, change) {
      account(email);
      const entry = state.listOf(email).get(calendarId);
      if (!entry)
        throw new ControlArgumentError(
          'calendarId',
          `is not in the calendar list of ${email}: ${calendarId}`,
        );
      if (change.selected !== undefined) entry.selected = change.selected;
      if (change.hidden !== undefined) entry.hidden = change.hidden;
      push.announceChanges();
    },
    approveConsent(authUrl, o) {
      const answer = oauth.decide(
        new URL(authUrl).searchParams,
        o.deny ? 'deny' : 'approve',
        o.email,
        o.grantScopes,
      );
      const location = answer.headers?.location;
      if (!location) throw new Error(`consent failed: ${String(answer.body)}`);
      return location;
    },
    revokeGrants(email) {
      account(email);
      for (const grant of state.refreshGrants.values()) if (grant.email === email) oauth.revokeGrant(grant);
      // Access tokens of online grants (no refresh token) die too.
      for (const access of state.accessTokens.values()) if (access.email === email) access.revoked = true;
      // As removing the app in the account's settings: the next consent is a first consent.
      for (const key of state.consents.keys()) if (key.startsWith(`${email}|`)) state.consents.delete(key);
    },
    expireAccessTokens() {
      for (const token of state.accessTokens.values()) token.expiresAt = Math.min(token.expiresAt, now());
    },
    expireSyncTokens(calendarId) {
      const floor = state.nextSeq();
      if (calendarId !== undefined) calendarNamed(calendarId);
      for (const id of calendarId ? [calendarId] : state.calendars.keys()) {
        state.syncTokenFloor.set(id, floor);
        state.historyPurgedAt.set(id, now());
      }
    },
    expireCalendarListSyncTokens(email) {
      const floor = state.nextSeq();
      if (email !== undefined) account(email);
      for (const id of email ? [email] : state.calendarLists.keys())
        state.calendarListTokenFloor.set(id, floor);
    },
    failNext: (method, kind, n = 1) => scripted.failNext(method, kind, n),
    randomFaults: (options) => randomFaults.configure(options),
    failDeliveries: (deliveryFaults) => push.failDeliveries(deliveryFaults),
    flushDeliveries: () => push.flush(),
    channels: () => push.list(),
    deliveryCounts: () => push.deliveryCounts(),
    setLatency: (ms, latencyOptions) => scripted.setLatency(ms, latencyOptions),
    heldRequests: () => scripted.held(),
    requestCounts: () => counts.snapshot(),
    resetCounts: () => counts.reset(),
    reset() {
      push.reset();
      state.clear();
      scripted.clear();
      windows.clear();
      randomFaults.configure(undefined);
      control.resetCounts();
      parts.reseed(control);
    },
  };
  return withCheckedArguments(control);
}
