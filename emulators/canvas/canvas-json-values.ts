import { createHash } from 'node:crypto';

/**
 * Plausible values for the fields Canvas sends that the emulator has no model for (uuids,
 * secure params, timestamps): derived from ids, so every read of an object answers the same.
 */

/** An instant as Canvas writes it: UTC, whole seconds, `Z`. */
export const canvasTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A 40-character uuid like Canvas's `uuid` columns, stable for one object. */
export const uuidOf = (kind: string, id: number): string =>
  createHash('sha1').update(`${kind}:${id}`).digest('hex');

/** A JWT-shaped `secure_params` (Canvas signs `lti_assignment_id`; the signature here is fake). */
export function secureParamsOf(assignmentId: number): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = part({ lti_assignment_id: uuidOf('lti-assignment', assignmentId) });
  return `${part({ typ: 'JWT', alg: 'HS256' })}.${body}.${uuidOf('signature', assignmentId).slice(0, 43)}`;
}

export const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
