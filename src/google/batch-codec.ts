import { randomBytes } from 'node:crypto';

/**
 * Google's batch format (multipart/mixed of application/http parts), both ways: our sync
 * engine encodes requests and parses responses, the Google emulator parses requests and
 * encodes responses. Parsing is lenient where Google's own examples are (bare LF, header
 * lines without a colon, a status line without a reason, Content-Length that lies) and
 * strict about structure; malformed input throws BatchCodecError and nothing else.
 */
export class BatchCodecError extends Error {
  override readonly name = 'BatchCodecError';
  constructor(
    readonly code: 'no_boundary' | 'not_multipart' | 'bad_part' | 'bad_start_line',
    message: string,
  ) {
    super(message);
  }
}

export interface BatchRequestPart {
  contentId?: string;
  method: string;
  /** Path and query, as sent. */
  path: string;
  headers?: Record<string, string>;
  /** A string is sent as it is; anything else as JSON. */
  body?: unknown;
}

export interface ParsedRequestPart {
  contentId?: string;
  method: string;
  path: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
}

export interface BatchResponsePart {
  contentId?: string;
  status: number;
  statusText?: string;
  headers: Record<string, string>;
  body: string;
}

export interface ParsedResponsePart {
  /** Without angle brackets or the `response-` prefix, so it matches the request's id. */
  contentId?: string;
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The body as JSON when it is JSON. */
  json?: unknown;
}

const CRLF = '\r\n';

export function encodeBatchRequest(
  parts: readonly BatchRequestPart[],
  boundary?: string,
): { body: string; contentType: string } {
  const texts = parts.map((part) => {
    const body =
      part.body === undefined ? '' : typeof part.body === 'string' ? part.body : JSON.stringify(part.body);
    const headers = {
      ...(part.body !== undefined && typeof part.body !== 'string'
        ? { 'Content-Type': 'application/json' }
        : {}),
      ...part.headers,
    };
    const lines = [
      `${part.method.toUpperCase()} ${part.path} HTTP/1.1`,
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    return { contentId: part.contentId, inner: `${lines.join(CRLF)}${CRLF}${CRLF}${body}` };
  });
  const chosen = boundary ?? safeBoundary(texts.map((t) => t.inner));
  const body = texts
    .map(
      ({ contentId, inner }) =>
        `--${chosen}${CRLF}Content-Type: application/http${CRLF}${contentId !== undefined ? `Content-ID: <${contentId}>${CRLF}` : ''}${CRLF}${inner}${CRLF}`,
    )
    .join('');
  return { body: `${body}--${chosen}--${CRLF}`, contentType: `multipart/mixed; boundary=${chosen}` };
}

export function encodeBatchResponse(parts: readonly BatchResponsePart[], boundary: string): string {
  const body = parts
    .map((part) => {
      const lines = [
        `HTTP/1.1 ${part.status} ${part.statusText ?? ''}`.trimEnd(),
        ...Object.entries(part.headers).map(([k, v]) => `${k}: ${v}`),
      ];
      const id = part.contentId !== undefined ? `Content-ID: <response-${part.contentId}>${CRLF}` : '';
      return `--${boundary}${CRLF}Content-Type: application/http${CRLF}${id}${CRLF}${lines.join(CRLF)}${CRLF}${CRLF}${part.body}${CRLF}`;
    })
    .join('');
  return `${body}--${boundary}--${CRLF}`;
}

export function parseBatchRequest(body: string, contentType: string): { parts: ParsedRequestPart[] } {
  return {
    parts: splitParts(body, contentType).map((part) => {
      const inner = splitHead(part.content);
      const match = /^([A-Z]+)\s+(\S+)(?:\s+HTTP\/\d(?:\.\d)?)?$/.exec(inner.startLine);
      if (!match?.[1] || !match[2])
        throw new BatchCodecError(
          'bad_start_line',
          'a batch part does not start with "METHOD path HTTP/1.1"',
        );
      return {
        ...idOf(part.headers),
        method: match[1],
        path: match[2],
        headers: inner.headers,
        body: inner.body,
      };
    }),
  };
}

export function parseBatchResponse(body: string, contentType: string): ParsedResponsePart[] {
  return splitParts(body, contentType).map((part) => {
    const inner = splitHead(part.content);
    const match = /^HTTP\/\d(?:\.\d)?\s+(\d{3})(?:\s.*)?$/.exec(inner.startLine);
    if (!match?.[1])
      throw new BatchCodecError('bad_start_line', 'a batch part does not start with "HTTP/1.1 <status>"');
    const json = parseJson(inner.body);
    return {
      ...idOf(part.headers),
      status: Number(match[1]),
      headers: inner.headers,
      body: inner.body,
      ...(json === undefined ? {} : { json }),
    };
  });
}

function splitParts(
  body: string,
  contentType: string,
): Array<{ headers: Record<string, string>; content: string }> {
  if (typeof body !== 'string' || typeof contentType !== 'string')
    throw new BatchCodecError('not_multipart', 'expected text');
  const boundary = /boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType);
  const name = boundary?.[1] ?? boundary?.[2];
  if (!name) throw new BatchCodecError('no_boundary', 'the Content-Type names no multipart boundary');
  if (!/^multipart\//i.test(contentType.trim()))
    throw new BatchCodecError('not_multipart', 'the answer is not multipart');
  const lines = body.split('\n').map((line) => line.replace(/\r$/, ''));
  const parts: string[][] = [];
  let current: string[] | undefined;
  let closed = false;
  for (const line of lines) {
    const trimmed = line.trimEnd();
    if (trimmed === `--${name}--`) {
      if (current) parts.push(current);
      current = undefined;
      closed = true;
      break;
    }
    if (trimmed === `--${name}`) {
      if (current) parts.push(current);
      current = [];
      continue;
    }
    current?.push(line);
  }
  if (current) parts.push(current);
  if (parts.length === 0 && !closed)
    throw new BatchCodecError('not_multipart', 'no part delimited by the boundary was found');
  return parts.map((partLines) => {
    const head = splitHead(partLines.join('\n'), false);
    return { headers: head.headers, content: head.body };
  });
}

/** Headers up to the first blank line (CRLF or LF), then the body; optionally a start line first. */
function splitHead(
  text: string,
  withStartLine = true,
): { startLine: string; headers: Record<string, string>; body: string } {
  const lines = text.split('\n');
  let index = 0;
  while (withStartLine && index < lines.length && (lines[index] ?? '').replace(/\r$/, '').trim() === '')
    index++;
  const startLine = withStartLine ? (lines[index++] ?? '').replace(/\r$/, '').trim() : '';
  const headers: Record<string, string> = {};
  for (; index < lines.length; index++) {
    const line = (lines[index] ?? '').replace(/\r$/, '');
    if (line.trim() === '') {
      index++;
      break;
    }
    // Google's own example has "Content-Type application/json": a header without its colon.
    const colon = line.indexOf(':');
    const space = line.search(/\s/);
    const cut = colon >= 0 ? colon : space;
    if (cut <= 0)
      throw new BatchCodecError('bad_part', 'a batch part has a header line that is not "Name: value"');
    headers[line.slice(0, cut).trim().toLowerCase()] = line.slice(cut + 1).trim();
  }
  // The line break before the next delimiter belongs to the delimiter, not the body.
  const body = lines
    .slice(index)
    .join('\n')
    .replace(/(\r?\n)+$/, '');
  return { startLine, headers, body };
}

function idOf(headers: Record<string, string>): { contentId?: string } {
  const raw = headers['content-id'];
  if (raw === undefined) return {};
  return { contentId: raw.replace(/^<|>$/g, '').replace(/^response-/, '') };
}

function parseJson(body: string): unknown {
  const trimmed = body.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    return undefined;
  }
}

function safeBoundary(contents: readonly string[]): string {
  for (;;) {
    const candidate = `batch_${randomBytes(12).toString('hex')}`;
    if (!contents.some((c) => c.includes(candidate))) return candidate;
  }
}
