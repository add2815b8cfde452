import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

type Provider = 'google' | 'canvas';

const cookieName = (provider: Provider) => `canvascal_oauth_${provider}`;
const fingerprint = (state: string) => createHash('sha256').update(state).digest('base64url');

/**
 * Ties an OAuth `state` to the browser that asked for the consent URL. The signed state says
 * which user started connecting, but not who finishes: without this, someone could start a
 * flow, send the consent link to a victim, and have the victim's account land in theirs.
 * The cookie is HttpOnly, SameSite=Lax (sent on Google's or Canvas's top-level redirect back)
 * and scoped to the callback path.
 */
export function bindStateToBrowser(
  reply: FastifyReply,
  provider: Provider,
  state: string,
  options: { secure: boolean },
): void {
  reply.header(
    'set-cookie',
    [
      `${cookieName(provider)}=${fingerprint(state)}`,
      `Path=/api/v1/auth/${provider}/callback`,
      'Max-Age=600',
      'HttpOnly',
      'SameSite=Lax',
      ...(options.secure ? ['Secure'] : []),
    ].join('; '),
  );
}

/** Whether this browser is the one the state was issued to. */
export function stateBoundToBrowser(request: FastifyRequest, provider: Provider, state: string): boolean {
  const name = `${cookieName(provider)}=`;
  const value = (request.headers.cookie ?? '')
    .split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith(name))
    ?.slice(name.length);
  if (!value) return false;
  const expected = Buffer.from(fingerprint(state));
  const given = Buffer.from(value);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Forgets the binding once the callback has used it. */
export function clearStateBinding(reply: FastifyReply, provider: Provider): void {
  reply.header(
    'set-cookie',
    `${cookieName(provider)}=; Path=/api/v1/auth/${provider}/callback; Max-Age=0; HttpOnly; SameSite=Lax`,
  );
}

/**
 * What the callback says to a browser that did not start the sign-in: where to finish it
 * instead (the app that started it posts the code and state with the user's token, which
 * checks the state belongs to that user).
 */
export function notThisBrowserMessage(provider: Provider, code: string, state: string): string {
  const name = provider === 'google' ? 'Google' : 'Canvas';
  return `This ${name} sign-in was not started in this browser. If you started it from another app or the command line, finish it there: POST /api/v1/auth/${provider}/token with {"code": "${code}", "state": "${state}"}. Otherwise start connecting ${name} again from CanvasCal, in this browser.`;
}
