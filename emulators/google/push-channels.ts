import { createHash } from 'node:crypto';
import { calendarListFingerprint } from './calendar-list-endpoint.ts';
import { EmulatedGoogleError, errors } from './google-errors.ts';
import type { AccessToken, Calendar, GoogleState } from './google-state.ts';
import type { EmulatorResponse } from './oauth-endpoints.ts';

const CHANNEL_ID = /^[A-Za-z0-9\-_+/=]+$/;
const MAX_ID_LENGTH = 64;
const MAX_TOKEN_LENGTH = 256;
const DEFAULT_TTL_S = 604_800;
// Google documents no ceiling for Calendar channels; a month is what we chose (README).
const MAX_TTL_S = 2_592_000;
const DELIVERY_TIMEOUT_MS = 10_000;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** A notification channel as tests see it (`control.channels()`). */
export interface ChannelInfo {
  id: string;
  /** `events` (events.watch) or `calendarList` (calendarList.watch). */
  kind: 'events' | 'calendarList';
  resourceId: string;
  resourceUri: string;
  /** The watched calendar's id; empty for a calendar-list channel. */
  calendarId: string;
  address: string;
  token: string | undefined;
  /** Milliseconds since the epoch. */
  expiration: number;
  email: string;
  clientId: string;
  /** The number of the last message sent (1 is the sync message). */
  messageNumber: number;
  stopped: boolean;
}

/** What happened to deliveries so far: answered 2xx, failed (refused, non-2xx, timeout), dropped or duplicated by a fault. */
export interface DeliveryCounts {
  sent: number;
  failed: number;
  dropped: number;
  duplicated: number;
}

interface Channel extends ChannelInfo {
  /** Deliveries of one channel go out one after another, in message-number order. */
  chain: Promise<void>;
  /** A calendar-list channel: the account's list as of its last message. */
  listSeen: string;
}

/** events.watch, calendarList.watch, channels.stop and the webhook deliveries that follow; deliveries never block or fail an API call. */
export class PushChannels {
  private readonly channels = new Map<string, Channel>();
  private readonly inFlight = new Set<Promise<void>>();
  private counts: DeliveryCounts = { sent: 0, failed: 0, dropped: 0, duplicated: 0 };
  private faults = { drop: 0, duplicate: 0 };
  private seenSeq: number;
  private abort = new AbortController();

  constructor(
    private readonly state: GoogleState,
    private readonly now: () => number,
    private readonly baseUrl: () => string,
  ) {
    this.seenSeq = state.seq;
  }

  /** POST /calendars/{calendarId}/events/watch, once the router has resolved the calendar and checked scopes. */
  watch(calendar: Calendar, pathCalendarId: string, token: AccessToken, body: Record<string, unknown>) {
    return this.open(token, body, {
      kind: 'events',
      calendarId: calendar.id,
      resourceKey: `events ${calendar.id}`,
      resourceUri: `${this.baseUrl()}/calendar/v3/calendars/${encodeURIComponent(pathCalendarId).replace(/%40/g, '@')}/events?alt=json`,
    });
  }

  /** POST /users/me/calendarList/watch, once the router has checked scopes: the token's account's list. */
  watchCalendarList(token: AccessToken, body: Record<string, unknown>) {
    return this.open(token, body, {
      kind: 'calendarList',
      calendarId: '',
      resourceKey: `calendarList ${token.email}`,
      resourceUri: `${this.baseUrl()}/calendar/v3/users/me/calendarList?alt=json`,
    });
  }

  private open(
    token: AccessToken,
    body: Record<string, unknown>,
    resource: { kind: ChannelInfo['kind']; calendarId: string; resourceKey: string; resourceUri: string },
  ): EmulatorResponse {
    const id = body.id;
    if (typeof id !== 'string' || id === '') throw errors.required('resource.id');
    // The push error bodies below: reasons and wording not verified against a live answer
    // (chosen before issue 12; README "Known differences"). Shape as the error guide's.
    if (id.length > MAX_ID_LENGTH || !CHANNEL_ID.test(id))
      throw new EmulatedGoogleError(
        400,
        'push.channelIdInvalid',
        `Channel id must match [A-Za-z0-9\\-_\\+/=]+ and be at most ${MAX_ID_LENGTH} characters`,
      );
    if (body.type !== 'web_hook' && body.type !== 'webhook')
      throw errors.invalid('Invalid value for: type. Valid values are "web_hook" and "webhook".', 'type');
    const address = typeof body.address === 'string' ? parseUrl(body.address) : undefined;
    if (!address)
      throw new EmulatedGoogleError(
        400,
        'push.webhookUrlNoHostOrAddress',
        'WebHook callback address is missing',
      );
    // Google wants HTTPS; plain http is allowed to a loopback receiver so tests need no certificate.
    if (address.protocol !== 'https:' && !(address.protocol === 'http:' && LOOPBACK.has(address.hostname)))
      throw new EmulatedGoogleError(400, 'push.webhookUrlNotHttps', 'WebHook callback must be HTTPS');
    if (body.token !== undefined && (typeof body.token !== 'string' || body.token.length > MAX_TOKEN_LENGTH))
      throw errors.invalid(`Channel token must be at most ${MAX_TOKEN_LENGTH} characters`, 'token');
    const ttl = ttlOf(body.params);
    const existing = this.channels.get(channelKey(token.clientId, id));
    if (existing && !existing.stopped && existing.expiration > this.now())
      throw new EmulatedGoogleError(400, 'channelIdNotUnique', 'Channel id not unique');

    const channel: Channel = {
      id,
      kind: resource.kind,
      resourceId: createHash('sha256').update(resource.resourceKey).digest('base64url').slice(0, 27),
      resourceUri: resource.resourceUri,
      calendarId: resource.calendarId,
      address: address.href,
      token: body.token as string | undefined,
      expiration: this.now() + ttl * 1000,
      email: token.email,
      clientId: token.clientId,
      messageNumber: 0,
      stopped: false,
      chain: Promise.resolve(),
      listSeen: resource.kind === 'calendarList' ? calendarListFingerprint(this.state, token.email) : '',
    };
    this.channels.set(channelKey(token.clientId, id), channel);
    this.deliver(channel, 'sync');
    return {
      status: 200,
      body: {
        kind: 'api#channel',
        id: channel.id,
        resourceId: channel.resourceId,
        resourceUri: channel.resourceUri,
        ...(channel.token !== undefined ? { token: channel.token } : {}),
        expiration: String(channel.expiration),
      },
    };
  }

  /** POST /channels/stop: 204 for a live channel of this OAuth client, 404 otherwise. */
  stop(token: AccessToken, body: Record<string, unknown>): EmulatorResponse {
    const id = typeof body.id === 'string' ? body.id : '';
    const channel = this.channels.get(channelKey(token.clientId, id));
    if (!channel || channel.stopped || channel.resourceId !== body.resourceId)
      throw new EmulatedGoogleError(
        404,
        'notFound',
        `Channel '${id}' not found for project '${token.clientId}'`,
      );
    channel.stopped = true;
    return { status: 204 };
  }

  /**
   * Sends one `exists` message per event written since the last call, to every live channel
   * on its calendar; and one to each live calendar-list channel whose account's list changed
   * since its last message (called after every API call and every control action).
   */
  announceChanges(): void {
    this.announceListChanges();
    if (this.state.seq === this.seenSeq) return;
    const since = this.seenSeq;
    this.seenSeq = this.state.seq;
    const watched = new Set(
      [...this.channels.values()].filter((c) => c.kind === 'events' && this.live(c)).map((c) => c.calendarId),
    );
    if (watched.size === 0) return;
    // One message per write: rows a single write touches (a master and the tombstones of
    // instances it removed) share its sequence number.
    const changes: Array<{ calendarId: string; seq: number }> = [];
    for (const calendarId of watched) {
      const seqs = new Set<number>();
      for (const event of this.state.events.get(calendarId)?.values() ?? [])
        if (event.seq > since) seqs.add(event.seq);
      for (const seq of seqs) changes.push({ calendarId, seq });
    }
    changes.sort((a, b) => a.seq - b.seq);
    for (const { calendarId } of changes)
      for (const channel of this.channels.values())
        if (channel.kind === 'events' && channel.calendarId === calendarId && this.live(channel))
          this.deliver(channel, 'exists');
  }

  private announceListChanges(): void {
    const fingerprints = new Map<string, string>();
    for (const channel of this.channels.values()) {
      if (channel.kind !== 'calendarList' || !this.live(channel)) continue;
      let now = fingerprints.get(channel.email);
      if (now === undefined) {
        now = calendarListFingerprint(this.state, channel.email);
        fingerprints.set(channel.email, now);
      }
      if (now === channel.listSeen) continue;
      channel.listSeen = now;
      this.deliver(channel, 'exists');
    }
  }

  /** The next `drop` deliveries are lost and the next `duplicate` ones arrive twice (same message number). */
  failDeliveries(faults: { drop?: number; duplicate?: number }): void {
    this.faults.drop += faults.drop ?? 0;
    this.faults.duplicate += faults.duplicate ?? 0;
  }

  /** Resolves once every delivery queued so far (and any queued meanwhile) has been answered or has failed. */
  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  list(): ChannelInfo[] {
    return [...this.channels.values()].map(({ chain: _chain, listSeen: _listSeen, ...info }) => ({
      ...info,
    }));
  }

  deliveryCounts(): DeliveryCounts {
    return { ...this.counts };
  }

  /** Forgets every channel and fault, and abandons deliveries in flight. */
  reset(): void {
    this.abort.abort();
    this.abort = new AbortController();
    this.channels.clear();
    this.counts = { sent: 0, failed: 0, dropped: 0, duplicated: 0 };
    this.faults = { drop: 0, duplicate: 0 };
    this.seenSeq = this.state.seq;
  }

  private live(channel: Channel): boolean {
    return !channel.stopped && channel.expiration > this.now();
  }

  private deliver(channel: Channel, resourceState: 'sync' | 'exists'): void {
    channel.messageNumber += 1;
    // A dropped message still uses its number: the receiver sees a gap, as after a real loss.
    if (this.faults.drop > 0) {
      this.faults.drop -= 1;
      this.counts.dropped += 1;
      return;
    }
    const headers: Record<string, string> = {
      'content-type': 'application/json; utf-8',
      'x-goog-channel-id': channel.id,
      ...(channel.token !== undefined ? { 'x-goog-channel-token': channel.token } : {}),
      'x-goog-channel-expiration': new Date(channel.expiration).toUTCString(),
      'x-goog-resource-id': channel.resourceId,
      'x-goog-resource-uri': channel.resourceUri,
      'x-goog-resource-state': resourceState,
      'x-goog-message-number': String(channel.messageNumber),
    };
    let times = 1;
    if (this.faults.duplicate > 0) {
      this.faults.duplicate -= 1;
      this.counts.duplicated += 1;
      times = 2;
    }
    for (let i = 0; i < times; i += 1) {
      const next = channel.chain.then(() => this.post(channel.address, headers));
      channel.chain = next;
      this.inFlight.add(next);
      void next.finally(() => this.inFlight.delete(next));
    }
  }

  private async post(address: string, headers: Record<string, string>): Promise<void> {
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(DELIVERY_TIMEOUT_MS)]);
    try {
      const response = await fetch(address, { method: 'POST', headers, body: '', signal });
      await response.arrayBuffer();
      if (response.ok) this.counts.sent += 1;
      else this.counts.failed += 1;
    } catch {
      // A receiver that is down or slow loses the message, as with Google; the count records it.
      this.counts.failed += 1;
    }
  }
}

function channelKey(clientId: string, id: string): string {
  return `${clientId} ${id}`;
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function ttlOf(params: unknown): number {
  const ttl = (params as { ttl?: unknown } | undefined)?.ttl;
  if (ttl === undefined) return DEFAULT_TTL_S;
  const seconds = Number(ttl);
  if (!Number.isInteger(seconds) || seconds < 1) throw errors.invalid('Invalid value for: params.ttl', 'ttl');
  return Math.min(seconds, MAX_TTL_S);
}
