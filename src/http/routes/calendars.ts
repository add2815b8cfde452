import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { UsersRepo } from '../../db/users-repo.ts';
import { AppError, badRequest } from '../../errors.ts';
import { queryAvailability } from '../../google/availability-query.ts';
import type { CalendarApi } from '../../google/calendar-api.ts';
import { isScopeMissing, listAllCalendars } from '../../google/calendar-discovery.ts';
import type { UserBusy } from '../../google/user-busy.ts';
import { apiInstant } from '../instant.ts';
import { currentUser } from '../server.ts';

export interface CalendarRouteDeps {
  users: UsersRepo;
  busy: UserBusy;
  /** The user's Google client; rejects with an AppError when Google is not connected. */
  calendarFor(userId: string): Promise<CalendarApi>;
  /** After the student chose other busy calendars (the study plan re-plans around them). */
  onCalendarsChanged?(userId: string): Promise<unknown>;
}

// "2026-12-01T10:00:00-05:00" or "…Z": an instant must say which offset it is in.
const Instant = apiInstant();
const MAX_RANGE_DAYS = 366;
const CHOOSING_NEEDS_LIST =
  'CanvasCal may not see your Google calendar list, so it cannot check the calendars you named. Reconnect Google and allow CanvasCal to see your list of calendars, or choose ["primary"].';

/** Which calendars count as busy, and the user's availability (under /api/v1). */
export function calendarRoutes(deps: CalendarRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/settings/calendars',
      {
        schema: {
          tags: ['calendars'],
          response: {
            200: z.object({
              preferredCalendars: z.array(z.string()),
              missing: z.array(z.string()),
              message: z.string().optional(),
              calendars: z.array(
                z.object({
                  id: z.string(),
                  summary: z.string(),
                  accessRole: z.string(),
                  primary: z.boolean(),
                  selected: z.boolean(),
                  counted: z.boolean(),
                }),
              ),
            }),
          },
        },
      },
      async (request) => {
        const { entries, ids, missing, preferred, notes } = await deps.busy.counted(currentUser(request).id);
        const set = new Set(ids);
        const messages = [
          ...notes,
          ...(missing.length > 0
            ? [
                `Some calendars you chose are no longer in your Google calendar list (${missing.join(', ')}); their time counts as unknown (never free) until you choose again.`,
              ]
            : []),
        ];
        return {
          preferredCalendars: preferred,
          missing,
          ...(messages.length > 0 ? { message: messages.join(' ') } : {}),
          calendars: entries.map((e) => ({
            id: e.id,
            summary: e.summary,
            accessRole: e.accessRole,
            primary: e.primary,
            selected: e.selected,
            counted: set.has(e.id),
          })),
        };
      },
    );

    app.put(
      '/settings/calendars',
      {
        schema: {
          tags: ['calendars'],
          description:
            'Name the calendars whose busy time counts; ["primary"] (the default) means "the ones I show in Google".',
          body: z.object({
            preferredCalendars: z
              .array(z.string().trim().min(1).max(1024))
              .min(1, 'name at least one calendar')
              .max(500),
          }),
          response: { 200: z.object({ preferredCalendars: z.array(z.string()) }) },
        },
      },
      async (request) => {
        const userId = currentUser(request).id;
        const api = await deps.calendarFor(userId);
        const listed = await listAllCalendars(api).catch((error: unknown) => {
          if (!isScopeMissing(error)) throw error;
          if (request.body.preferredCalendars.every((id) => id === 'primary')) return null;
          throw new AppError('calendar_list_not_granted', CHOOSING_NEEDS_LIST, 409);
        });
        if (listed) {
          const known = new Set(listed.map((e) => e.id));
          const unknown = request.body.preferredCalendars.filter((id) => id !== 'primary' && !known.has(id));
          if (unknown.length > 0)
            throw badRequest(`Not in your Google calendar list: ${unknown.join(', ')}.`, 'unknown_calendar');
        }
        await deps.users.setPreferredCalendars(userId, request.body.preferredCalendars);
        await deps.onCalendarsChanged?.(userId);
        return { preferredCalendars: request.body.preferredCalendars };
      },
    );

    app.get(
      '/availability',
      {
        schema: {
          tags: ['calendars'],
          querystring: z.object({
            from: Instant,
            to: Instant,
            minMinutes: z.coerce.number().int().min(1).max(1440).default(30),
            includeStudyBlocks: z.enum(['true', 'false']).default('false'),
          }),
          response: {
            200: z.object({
              timeZone: z.string(),
              calendars: z.array(z.string()),
              busy: z.array(z.object({ start: z.string(), end: z.string() })),
              unknown: z.array(
                z.object({
                  start: z.string(),
                  end: z.string(),
                  calendarIds: z.array(z.string()),
                  reason: z.string(),
                }),
              ),
              free: z.array(z.object({ start: z.string(), end: z.string(), minutes: z.number() })),
              /** What is not counted or could not be read, and what to do about it. */
              notes: z.array(z.string()),
            }),
          },
        },
      },
      async (request) =>
        queryAvailability(deps, currentUser(request).id, {
          from: new Date(request.query.from),
          to: new Date(request.query.to),
          minMinutes: request.query.minMinutes,
          includeStudyBlocks: request.query.includeStudyBlocks === 'true',
          maxRangeDays: MAX_RANGE_DAYS,
        }),
    );
  };
}
