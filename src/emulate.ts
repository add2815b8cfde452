import { parseArgs } from 'node:util';
import { startCanvasEmulator } from '../emulators/canvas/canvas-emulator.ts';
import { canvasEmulatorGuide } from '../emulators/canvas/canvas-emulator-guide.ts';
import { DEMO_STUDENT_EMAIL } from '../emulators/google/demo-seed.ts';
import {
  DEMO_GOOGLE_CLIENT,
  type GoogleEmulator,
  startGoogleEmulator,
} from '../emulators/google/google-emulator.ts';

/**
 * `canvascal emulate google|canvas [--port N] [--host H]`: one emulator alone, seeded with
 * the demo student, until Ctrl-C. For trying the API by hand or pointing another client at it.
 */
export async function runEmulator(
  args: string[],
  print: (line: string) => void = console.log,
): Promise<number> {
  const [which, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: { port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' } },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    print(`--port must be a whole number from 0 to 65535, got "${values.port}"`);
    return 1;
  }
  const options = { port, host: values.host };
  // The control API under /_emulator/ has no authentication: anyone who can reach it can act as the user.
  if (!['127.0.0.1', 'localhost', '::1'].includes(values.host))
    print(
      `warning: --host ${values.host} exposes the emulator's unauthenticated /_emulator control API beyond this machine`,
    );
  const canvas = which === 'canvas' ? await startCanvasEmulator(options) : undefined;
  const google = which === 'google' ? await startGoogleEmulator(options) : undefined;
  const emulator = google ?? canvas;
  if (!emulator) {
    print('Usage: canvascal emulate google|canvas [--port N] [--host H]');
    return 1;
  }
  print(`${which} emulator listening on ${emulator.url} (Ctrl-C to stop)`);
  if (canvas) for (const line of canvasEmulatorGuide(canvas)) print(line);
  if (google) for (const line of googleEmulatorGuide(google)) print(line);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await emulator.close();
  return 0;
}

/**
 * What a user of a standalone Google emulator needs: the demo OAuth client (a local demo
 * client: showing its secret is the point), the endpoints to point a client at, and the demo
 * student to consent as.
 */
function googleEmulatorGuide(emulator: GoogleEmulator): string[] {
  return [
    `Demo OAuth client id: ${DEMO_GOOGLE_CLIENT.clientId}, secret: ${DEMO_GOOGLE_CLIENT.clientSecret} (any http://127.0.0.1 or localhost redirect URI)`,
    `Demo student email: ${DEMO_STUDENT_EMAIL}`,
    `OAuth: ${emulator.url}/o/oauth2/v2/auth, token: ${emulator.url}/token, revoke: ${emulator.url}/revoke`,
    `Calendar API root: ${emulator.url}/ (e.g. calendar({ rootUrl: '${emulator.url}/' }))`,
    `Control API: POST ${emulator.url}/_emulator/<method> with a JSON array of arguments`,
  ];
}
