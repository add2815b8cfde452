import type { GoogleConnection as StoredGoogleConnection } from '../db/google-connections-repo.ts';
import { type Feature, featuresFor } from './scopes.ts';

/** Where the user's Google connection stands, in the words every route answers with. */
export interface GoogleStatus {
  status: 'not_connected' | 'connected' | 'reconnect_needed' | 'disconnected';
  grantedScopes: string[];
  features: Record<Feature, boolean>;
  message: string | undefined;
}

/**
 * The one reading of a stored Google connection. Every route that says whether Google is
 * connected (`/me`, `/auth/google`, `/sync/status`, sync readiness) derives it from here, so
 * none says "connected" while another says "reconnect needed". A stored token alone is not
 * a connection: a grant marked "reconnect needed" keeps its envelope until replaced.
 */
export function googleStatusOf(
  connection: Pick<StoredGoogleConnection, 'status' | 'grantedScopes' | 'lastError'> | undefined,
): GoogleStatus {
  if (!connection) {
    return {
      status: 'not_connected',
      grantedScopes: [],
      features: featuresFor([]),
      message: 'Connect your Google account: GET /api/v1/auth/google/url.',
    };
  }
  return {
    status: connection.status,
    grantedScopes: connection.grantedScopes,
    features: featuresFor(connection.status === 'connected' ? connection.grantedScopes : []),
    message:
      connection.status === 'reconnect_needed'
        ? `Google no longer accepts CanvasCal's access (${connection.lastError ?? 'grant revoked'}); connect Google again.`
        : connection.status === 'disconnected'
          ? 'Google is disconnected; connect it again with GET /api/v1/auth/google/url.'
          : undefined,
  };
}
