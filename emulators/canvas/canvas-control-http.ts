import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CanvasControl } from './canvas-control.ts';
import { ControlArgumentError } from './canvas-control-arguments.ts';

/** Where the control API answers over HTTP: `POST /_emulator/<method>`. */
export const CONTROL_PREFIX = '/_emulator/';

interface ControlAnswer {
  status: number;
  body: unknown;
}

const refuse = (status: number, code: string, message: string): ControlAnswer => ({
  status,
  body: { error: { code, message } },
});

/**
 * Calls one method of the control object with the JSON array in the body as its arguments and
 * answers `{ result }` (awaited when the method is async). Only the object's own methods
 * count; an unknown name, a body that is not a JSON array, or a call the method refuses
 * answers 400 `{ error: { code, message } }`. For driving a standalone emulator from outside.
 */
export async function callCanvasControl(
  control: CanvasControl,
  name: string,
  body: string,
): Promise<ControlAnswer> {
  // `constructor`, `toString` and other inherited names are not operations.
  const method: unknown = Object.hasOwn(control, name)
    ? (control as unknown as Record<string, unknown>)[name]
    : undefined;
  if (typeof method !== 'function') return refuse(400, 'unknownOperation', `No control operation '${name}'.`);
  let args: unknown;
  try {
    args = body.trim() === '' ? [] : JSON.parse(body);
  } catch {
    return refuse(400, 'badBody', 'The body must be a JSON array of arguments.');
  }
  if (!Array.isArray(args)) return refuse(400, 'badBody', 'The body must be a JSON array of arguments.');
  try {
    const result: unknown = await (method as (...a: unknown[]) => unknown).apply(control, args);
    return { status: 200, body: { result: toJson(result) } };
  } catch (error) {
    // Arguments of the wrong shape fail as TypeErrors; refused values as plain Errors, whose
    // messages are the control API's own and hold no secrets. Anything else is a bug.
    if (error instanceof ControlArgumentError) return refuse(400, 'badArguments', error.message);
    if (error instanceof TypeError) return refuse(400, 'badArguments', `Bad arguments for '${name}'.`);
    if (error instanceof Error && !(error instanceof ReferenceError))
      return refuse(400, 'rejected', error.message);
    throw error;
  }
}

/** Serves `POST /_emulator/<name>`; other methods get 405. */
export async function serveControl(
  control: CanvasControl,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const send = (answer: ControlAnswer, headers: Record<string, string> = {}) => {
    res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(answer.body));
  };
  if (req.method !== 'POST') {
    req.resume();
    send(refuse(405, 'methodNotAllowed', 'Control operations are POST requests.'), { allow: 'POST' });
    return;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const name = decodeURIComponent((req.url ?? '').slice(CONTROL_PREFIX.length).split('?')[0] ?? '');
  send(await callCanvasControl(control, name, Buffer.concat(chunks).toString('utf8')));
}

// Maps and Sets (the state's shape) become arrays, so a result is always JSON.
function toJson(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value ?? null, (_key, v: unknown) =>
      v instanceof Map ? [...v.entries()] : v instanceof Set ? [...v] : v,
    ),
  );
}
