import { CANVASCAL_NAMESPACE, uuidv5 } from '../ids.ts';

/**
 * The Google event id of a source item: UUIDv5 of user, Canvas host and item key, as 32
 * lower-case hex characters. Hex digits are inside Google's base32hex id alphabet
 * ([a-v0-9], 5–1024 characters), so the id is accepted as a client-supplied id, and a
 * retried insert of the same item collides (409) instead of duplicating the event.
 */
export function googleEventIdFor(userId: string, canvasHost: string, sourceKey: string): string {
  return uuidv5(`${userId}\n${canvasHost.toLowerCase()}\n${sourceKey}`, CANVASCAL_NAMESPACE).replace(
    /-/g,
    '',
  );
}
