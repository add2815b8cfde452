import { badRequest } from '../errors.ts';

/** Normalises what a user types as their school's Canvas address to an origin. */
export function canvasOrigin(input: string, options: { allowHttp: boolean }): string {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(input.trim()) ? input.trim() : `https://${input.trim()}`);
  } catch {
    throw badRequest(
      `"${input}" is not a web address; use your school's Canvas address, e.g. https://canvas.school.edu.`,
      'invalid_canvas_url',
    );
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && (options.allowHttp || loopback))) {
    throw badRequest('The Canvas address must start with https://.', 'invalid_canvas_url');
  }
  return url.origin;
}
