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
  '*.metricsToken',
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

/**
 * Secret-shaped text wherever it sits in a line: a message, a stack, a driver's quoted row or
 * query parameters, a field nobody thought to redact. No leading word boundary, since in a
 * written line a secret may follow an escaped newline (`\\nv2.…`).
 */
const SECRET_TEXT: ReadonlyArray<readonly [RegExp, string]> = [
  // A sealed envelope: v<version>.<kid>.<iv>.<ciphertext+tag>, base64url parts.
  [/v\d{1,3}\.[A-Za-z0-9_-]{1,32}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, '[Redacted]'],
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, '$1[Redacted]'],
  [/eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+/g, '[Redacted]'], // a JWT
  [/ya29\.[A-Za-z0-9._-]+/g, '[Redacted]'], // a Google access token
  [/1\/\/[A-Za-z0-9_-]{10,}/g, '[Redacted]'], // a Google refresh token
  [/\d{1,10}~[A-Za-z0-9]{16,}/g, '[Redacted]'], // a Canvas access token
  [
    /((?:access_token|refresh_token|id_token|client_secret|code_verifier)\\?"?\s*[:=]\s*\\?"?)[^"&\s\\,}]+/gi,
    '$1[Redacted]',
  ],
];

/** Blanks every secret-shaped piece of `text` (see SECRET_TEXT), and Drizzle's list of query parameters. */
export function scrubSecrets(text: string): string {
  let scrubbed = redactUrl(text).replace(/(\n|\\n)params: [^\n"]*/g, '$1params: [Redacted]');
  for (const [pattern, replacement] of SECRET_TEXT) scrubbed = scrubbed.replace(pattern, replacement);
  return scrubbed;
}

export function createLogger(config: Config['log'], destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level: config.level,
    redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
    // The last word: whatever path a secret took into a line, it leaves scrubbed.
    hooks: { streamWrite: scrubSecrets },
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
 * `config.data`, which can hold a refresh token or a PKCE verifier), and a database error
 * its `detail` and `parameters` (the refused row, sealed tokens included). Message and
 * stack are scrubbed of anything secret-shaped.
 */
export function serializeError(error: unknown, depth = 0): SerializedError | unknown {
  if (!(error instanceof Error)) return error;
  const { code, status } = error as { code?: unknown; status?: unknown };
  return {
    type: error.name,
    message: scrubSecrets(error.message),
    stack: error.stack === undefined ? undefined : scrubSecrets(error.stack),
    ...(typeof code === 'string' ? { errorCode: code } : {}),
    ...(typeof status === 'number' ? { status } : {}),
    ...(error.cause !== undefined && depth < 3
      ? { cause: serializeError(error.cause, depth + 1) as SerializedError }
      : {}),
  };
}
