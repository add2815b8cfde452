import { STATUS_CODES } from 'node:http';

/**
 * The server side of Google's batch format, written from the "Send batch requests" guide
 * (https://developers.google.com/workspace/calendar/api/guides/batch) and RFC 2046 §5.1,
 * on purpose without the engine's codec: an emulator that shared the engine's parser would
 * share its bugs. A request is `multipart/mixed`; each part has its own headers (only
 * `Content-Type: application/http` and an optional `Content-ID` matter; "the part headers
 * ... are ignored after the server unwraps the batch") and then a whole HTTP request with
 * only the path of the URL. The answer is `multipart/mixed` too, one part per call in the
 * same order, each a whole HTTP response whose Content-ID is `response-` + the call's.
 */
export class BatchFormatError extends Error {
  override readonly name = 'BatchFormatError';
}

/** One call unwrapped from a batch. */
export interface BatchCall {
  /** As sent, without the angle brackets. */
  contentId?: string;
  method: string;
  /** Path and query, as sent. */
  target: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
}

/** One answer to wrap into the batch reply. */
export interface BatchAnswer {
  contentId?: string;
  status: number;
  headers: Record<string, string>;
  /** Empty for answers without a body (204, 304). */
  body: string;
}

/** The `boundary` parameter of a multipart Content-Type (RFC 2046: a token or a quoted string). */
export function boundaryOf(contentType: string): string {
  const [type = '', ...params] = contentType.split(';');
  if (type.trim().toLowerCase() !== 'multipart/mixed')
    throw new BatchFormatError('the batch must be multipart/mixed');
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'boundary') continue;
    const raw = param.slice(eq + 1).trim();
    const value = raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2 ? raw.slice(1, -1) : raw;
    if (value.length >= 1 && value.length <= 70) return value;
  }
  throw new BatchFormatError('the multipart Content-Type has no boundary');
}

/**
 * The bodies between the delimiters. A delimiter is `--boundary` at the start of a line; the
 * line break before it belongs to it (RFC 2046), so it is not part of the body. Google's own
 * example uses bare LF, so LF alone also ends a line. Preamble and epilogue are dropped.
 */
function splitMultipart(body: string, boundary: string): string[] {
  const dash = `--${boundary}`;
  // Every delimiter line: where it starts, where its line ends, whether it closes.
  const delimiters: Array<{ at: number; next: number; close: boolean }> = [];
  for (let at = body.indexOf(dash); at >= 0; at = body.indexOf(dash, at + dash.length)) {
    if (at !== 0 && body[at - 1] !== '\n') continue;
    const after = at + dash.length;
    const lf = body.indexOf('\n', after);
    const close = body.startsWith('--', after);
    const rest = body.slice(close ? after + 2 : after, lf < 0 ? body.length : lf);
    // Transport padding (whitespace) may follow a delimiter before its line break.
    if (rest.trim() !== '') continue;
    delimiters.push({ at, next: lf < 0 ? body.length : lf + 1, close });
    if (close) break;
  }
  if (!delimiters.some((d) => d.close))
    throw new BatchFormatError('the multipart body has no closing delimiter');
  const parts: string[] = [];
  for (let i = 0; i + 1 < delimiters.length; i++) {
    const from = delimiters[i]?.next ?? 0;
    let end = (delimiters[i + 1]?.at ?? 0) - 1;
    if (body[end - 1] === '\r') end--;
    parts.push(body.slice(from, Math.max(end, from)));
  }
  return parts;
}

/** Header lines up to the first empty line, then the rest. */
function readHead(text: string): { lines: string[]; rest: string } {
  const lines: string[] = [];
  let at = 0;
  while (at <= text.length) {
    const lf = text.indexOf('\n', at);
    const line = (lf < 0 ? text.slice(at) : text.slice(at, lf)).replace(/\r$/, '');
    at = lf < 0 ? text.length + 1 : lf + 1;
    if (line === '') return { lines, rest: text.slice(Math.min(at, text.length)) };
    lines.push(line);
  }
  return { lines, rest: '' };
}

function headerMap(lines: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    // The guide's own example writes "Content-Type application/json", without the colon.
    const match = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?::|\s)\s*(.*)$/.exec(line);
    if (!match?.[1]) throw new BatchFormatError(`unreadable header line in a batch part: ${line}`);
    headers[match[1].toLowerCase()] = (match[2] ?? '').trim();
  }
  return headers;
}

/** Unwraps a batch request into its calls, in order. */
export function readBatchRequest(body: string, contentType: string): BatchCall[] {
  return splitMultipart(body, boundaryOf(contentType)).map((part) => {
    const outer = readHead(part);
    const partHeaders = headerMap(outer.lines);
    const inner = readHead(outer.rest.replace(/^(\r?\n)+/, ''));
    const [requestLine = '', ...headerLines] = inner.lines;
    // The guide's example omits the HTTP version: "GET /farm/v1/animals/pony".
    const start = /^([A-Z]+) +(\S+)(?: +HTTP\/\d\.\d)?$/.exec(requestLine);
    if (!start?.[1] || !start[2])
      throw new BatchFormatError(`a batch part is not an HTTP request: ${requestLine}`);
    const id = partHeaders['content-id'];
    return {
      ...(id !== undefined ? { contentId: id.replace(/^<(.*)>$/, '$1') } : {}),
      method: start[1],
      target: start[2],
      headers: headerMap(headerLines),
      body: inner.rest,
    };
  });
}

/** The reason phrase of a status, as Google writes it in batch parts (`HTTP/1.1 304 Not Modified`). */
export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Unknown';
}

/** Wraps the answers into a batch reply body, CRLF throughout. */
export function writeBatchResponse(answers: readonly BatchAnswer[], boundary: string): string {
  const out: string[] = [];
  for (const answer of answers) {
    out.push(`--${boundary}`, 'Content-Type: application/http');
    if (answer.contentId !== undefined) out.push(`Content-ID: <response-${answer.contentId}>`);
    out.push('', `HTTP/1.1 ${answer.status} ${reasonPhrase(answer.status)}`);
    for (const [name, value] of Object.entries(answer.headers)) out.push(`${name}: ${value}`);
    if (answer.body !== '') out.push(`Content-Length: ${Buffer.byteLength(answer.body)}`);
    out.push('', answer.body);
  }
  out.push(`--${boundary}--`, '');
  return out.join('\r\n');
}
