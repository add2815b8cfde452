import type { RouteContext } from './canvas-http.ts';
import { uuidOf } from './canvas-json-values.ts';

/**
 * The student's profile with the fields of Canvas's Profile object
 * (https://canvas.instructure.com/doc/api/users.html#Profile; no live capture has one).
 */
export function profileJson(ctx: RouteContext): Record<string, unknown> {
  const { user, origin } = ctx;
  const login = `${user.name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@example.edu`;
  return {
    id: ctx.id(user.id),
    name: user.name,
    short_name: user.name,
    sortable_name: user.name.split(' ').reverse().join(', '),
    title: null,
    bio: null,
    pronunciation: null,
    primary_email: login,
    login_id: login,
    sis_user_id: null,
    lti_user_id: uuidOf('lti-user', user.id),
    avatar_url: `${origin}/images/messages/avatar-50.png`,
    calendar: { ics: `${origin}/feeds/calendars/user_${uuidOf('user', user.id)}.ics` },
    time_zone: user.timeZone,
    locale: null,
    k5_user: false,
    use_classic_font_in_k5: false,
  };
}
