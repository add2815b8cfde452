import { ControlArgumentError } from './control-arguments.ts';
import type { GoogleEmulatorControl } from './emulator-control.ts';
import type { EmulatorResponse } from './oauth-endpoints.ts';

const controlError = (code: string, message: string): EmulatorResponse => ({
  status: 400,
  body: { error: { code, message } },
});

/**
 * `POST /_emulator/<name>` with a JSON array of arguments: calls that control method and
 * answers `{ result }`. An unknown name, a body that is not a JSON array, or a method that
 * refuses its arguments answers 400 `{ error: { code, message } }`.
 */
export async function callControl(
  control: GoogleEmulatorControl,
  name: string,
  body: string,
): Promise<EmulatorResponse> {
  // Own properties only: `constructor` or `toString` are not operations.
  const fn: unknown = Object.hasOwn(control, name)
    ? (control as unknown as Record<string, unknown>)[name]
    : undefined;
  if (typeof fn !== 'function') return controlError('unknownOperation', `No control operation '${name}'.`);
  let args: unknown;
  try {
    args = body.trim() === '' ? [] : JSON.parse(body);
  } catch {
    return controlError('badBody', 'The body must be a JSON array of arguments.');
  }
  if (!Array.isArray(args)) return controlError('badBody', 'The body must be a JSON array of arguments.');
  try {
    const result: unknown = await (fn as (...a: unknown[]) => unknown).apply(control, args);
    return { status: 200, body: { result: result ?? null } };
  } catch (error) {
    // Arguments of the wrong shape surface as TypeErrors; refused values as plain Errors (or
    // Google errors from the same rules the API applies). Their messages hold no secrets.
    if (error instanceof ControlArgumentError)
      return {
        status: 400,
        body: { error: { code: 'badArguments', message: `${name}: ${error.message}`, field: error.field } },
      };
    if (error instanceof TypeError) return controlError('badArguments', `Bad arguments for '${name}'.`);
    if (error instanceof Error && !(error instanceof ReferenceError))
      return controlError('rejected', error.message);
    throw error;
  }
}
