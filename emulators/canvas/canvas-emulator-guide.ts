import type { CanvasEmulator } from './canvas-emulator.ts';
import { DEMO_CANVAS_DEVELOPER_KEY } from './canvas-oauth-endpoints.ts';

/**
 * What a user of a standalone Canvas emulator needs to point a client at it: the demo
 * student's personal token (a local demo token: showing it is the point), the demo developer
 * key for OAuth2, and where the control API answers.
 */
export function canvasEmulatorGuide(emulator: CanvasEmulator): string[] {
  const demo = emulator.control.demo;
  return [
    ...(demo
      ? [
          `Demo student token (personal access token): ${demo.token}`,
          `  try: curl -H 'Authorization: Bearer ${demo.token}' -H 'User-Agent: curl' ${emulator.url}/api/v1/courses`,
        ]
      : ['No demo student (empty seed).']),
    `Demo developer key (OAuth2) id: ${DEMO_CANVAS_DEVELOPER_KEY.clientId}, secret: ${DEMO_CANVAS_DEVELOPER_KEY.clientSecret}`,
    `Control API: POST ${emulator.url}/_emulator/<method> with a JSON array of arguments`,
  ];
}
