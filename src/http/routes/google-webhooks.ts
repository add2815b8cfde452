import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { WatchChannel, WatchChannelsRepo } from '../../db/watch-channels-repo.ts';
import { AppError } from '../../errors.ts';
import type { ChannelKeys } from '../../live/channel-token.ts';
import { judgeNotification } from '../../live/notification-verdict.ts';
import type { Metrics } from '../../metrics.ts';
import { QueueUnavailableError } from '../../queue/queue.ts';

export interface GoogleWebhookDeps {
  channels: Pick<WatchChannelsRepo, 'get'>;
  keys: ChannelKeys;
  /** Adds (or joins) the debounced delta sync of one calendar (or the calendar list's follow); never runs it here. */
  followLater(userId: string, calendarId: string): Promise<{ joined: boolean }>;
  /** Adds a job that stops a channel we stopped but Google still delivers on. */
  stopLater(channel: WatchChannel): Promise<void>;
  metrics: Pick<Metrics, 'pushNotifications' | 'pushDebounced'>;
  now?: () => number;
}

// Google sends no body; anything bigger than this is not Google.
const BODY_LIMIT = 1024;
// Our channel ids are UUIDs: anything else is not ours, and costs no database read.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// The older guide's example has two spaces after some colons; HTTP parsers trim them anyway.
const HeadersSchema = z.object({
  'x-goog-channel-id': z.string().trim().min(1).max(64),
  'x-goog-channel-token': z.string().trim().max(256).optional(),
  'x-goog-resource-id': z.string().trim().min(1).max(256),
  'x-goog-resource-state': z
    .string()
    .trim()
    .pipe(z.enum(['sync', 'exists', 'not_exists'])),
  'x-goog-message-number': z
    .string()
    .trim()
    .regex(/^\d{1,20}$/)
    .optional(),
});

/**
 * `POST /webhooks/google`: Google's push notifications. Public (Google sends no user token),
 * so it trusts nothing before the channel's token matches, and it only verifies and enqueues:
 * no Google call and no sync runs inside the request. Google treats 200/201/202/204/102 as
 * delivered, retries 500/502/503/504 with exponential backoff, and counts anything else as a
 * failed message. So: every notification we can judge is answered 200 (a stranger learns
 * nothing, and Google does not retry what will never change); a malformed one 400; and when
 * the queue or the database is down, 503, so Google delivers it again later.
 */
export function googleWebhookRoutes(deps: GoogleWebhookDeps): FastifyPluginAsyncZod {
  const now = deps.now ?? (() => Date.now());
  return async (app) => {
    // Google posts `Content-Type: application/json; utf-8` with an empty body, which the JSON
    // parser refuses; here bodies are read (up to the limit) and ignored, whatever their type.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_request, _body, done) =>
      done(null, undefined),
    );

    app.post(
      '/webhooks/google',
      {
        bodyLimit: BODY_LIMIT,
        logLevel: 'warn',
        // Google delivers every user's notifications from a few shared addresses: a per-address
        // limit would refuse them (and a 429 is not retried). Each request costs at most one
        // primary-key read before it is refused, and nothing after that unless it verifies.
        config: { rateLimit: false },
        schema: { tags: ['webhooks'], security: [], headers: HeadersSchema },
      },
      async (request, reply) => {
        const headers = request.headers;
        const channelId = headers['x-goog-channel-id'];
        const channel = UUID.test(channelId) ? await deps.channels.get(channelId) : undefined;
        const verdict = judgeNotification(
          {
            channelId,
            token: headers['x-goog-channel-token'],
            resourceId: headers['x-goog-resource-id'],
            resourceState: headers['x-goog-resource-state'],
          },
          channel,
          deps.keys,
          new Date(now()),
        );
        try {
          if (verdict.outcome === 'change') {
            const { joined } = await deps.followLater(verdict.channel.userId, verdict.channel.calendarId);
            if (joined) deps.metrics.pushDebounced.inc();
          } else if (verdict.outcome === 'stopped') {
            await deps.stopLater(verdict.channel);
          }
        } catch (error) {
          if (error instanceof QueueUnavailableError) {
            deps.metrics.pushNotifications.inc({ outcome: 'queue_unavailable' });
            throw new AppError(
              'queue_unavailable',
              'The job queue is unreachable; deliver again later.',
              503,
              {
                cause: error,
              },
            );
          }
          throw error;
        }
        deps.metrics.pushNotifications.inc({ outcome: verdict.outcome });
        return reply.status(200).send();
      },
    );
  };
}
