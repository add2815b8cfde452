import type { DueItemsSource } from '../sync/due-items-source.ts';
import type { CanvasAccount } from './canvas-account.ts';

/**
 * The student's Canvas as a DueItemsSource. An OAuth access token Canvas calls dead (401 with
 * `WWW-Authenticate`) is refreshed and the read tried once more; a second refusal, or a
 * refresh Canvas refuses, ends as "reconnect needed", never a loop.
 */
export async function canvasSourceFor(
  account: CanvasAccount,
  userId: string,
  create: (credentials: { baseUrl: string; token: string }) => DueItemsSource,
): Promise<DueItemsSource> {
  const first = await account.credentials(userId);
  const source = create(first);
  const timeZone = () => account.timeZone(userId);
  if (first.authKind !== 'oauth')
    return { host: source.host, readDueItems: () => source.readDueItems(), timeZone };
  return {
    host: source.host,
    timeZone,
    async readDueItems() {
      const read = await source.readDueItems();
      if (read.complete || read.failure.code !== 'token_invalid') return read;
      return create(await account.credentials(userId, { forceRefresh: true })).readDueItems();
    },
  };
}
