import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { Config } from './config.ts';

/**
 * Paths pino blanks before a line is written. Tokens, OAuth codes, Authorization and
 * Cookie headers and encrypted blobs never reach a log, whatever logged them.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-goog-channel-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  '*.authorization',
  '*.Authorization',
  '*.accessToken',
  '*.access_token',
  '*.refreshToken',
  '*.refresh_token',
  '*.idToken',
  '*.id_token',
  '*.token',
  '*.code',
  '*.codeVerifier',
  '*.code_verifier',
  '*.clientSecret',
  '*.client_secret',
  '*.password',
  '*.encryptedRefreshToken',
  '*.encrypted_refresh_token',
  '*.encryptedAccessToken',
  '*.encrypted_access_token',
  '*.encryptionKeys',
  '*.secret',
  'accessToken',
  'refreshToken',
  'token',
  'code',
];

// Query parameters whose values are secrets when they appear in a logged URL.
const SECRET_QUERY_PARAMS =
  /([?&](?:code|state|token|access_token|refresh_token|id_token|client_secret)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY_PARAMS, '$1[Redacted]');
}

export function createLogger(config: Config['log'], destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level: config.level,
    redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
    base: { service: 'canvascal' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: {
      // Fastify's default request serializer logs the raw URL, which can carry an OAuth code.
      req: (req: { method?: string; url?: string; ip?: string; id?: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url === undefined ? undefined : redactUrl(req.url),
        ip: req.ip,
      }),
      err: pino.stdSerializers.err,
    },
  };
  if (destination) return pino(options, destination);
  if (config.format === 'pretty') {
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss' } },
    });
  }
  return pino(options);
}
