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
      err: serializeError,
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

interface SerializedError {
  type: string;
  message: string;
  stack: string | undefined;
  /** The error's own `code`, renamed: `code` is redacted everywhere as an OAuth code might be. */
  errorCode?: string;
  status?: number;
  cause?: SerializedError;
}

/**
 * Only an error's name, message, stack, code and status (and its causes'), never its other
 * own properties: a client library's error carries the request it failed on (gaxios keeps
 * `config.data`, which can hold a refresh token or a PKCE verifier).
 */
export function serializeError(error: unknown, depth = 0): SerializedError | unknown {
  if (!(error instanceof Error)) return error;
  const { code, status } = error as { code?: unknown; status?: unknown };
  return {
    type: error.name,
    message: redactUrl(error.message),
    stack: error.stack === undefined ? undefined : redactUrl(error.stack),
    ...(typeof code === 'string' ? { errorCode: code } : {}),
    ...(typeof status === 'number' ? { status } : {}),
    ...(error.cause !== undefined && depth < 3
      ? { cause: serializeError(error.cause, depth + 1) as SerializedError }
      : {}),
  };
}
