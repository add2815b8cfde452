/**
 * A minimal MCP client over Streamable HTTP written from the specification's transport section
 * (2025-06-18), with plain fetch and no SDK import, so the server is not only tested by the
 * SDK it is built on. It does what the spec asks of a client and nothing more: POST every
 * JSON-RPC message with `Accept: application/json, text/event-stream`, read a response that is
 * either one JSON object or an SSE stream carrying it, keep the `Mcp-Session-Id` from the
 * initialize response and send it (and `MCP-Protocol-Version`) on every later request.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';

export const RAW_PROTOCOL_VERSION = '2025-06-18';

export interface RawReply {
  status: number;
  headers: Headers;
  /** The JSON-RPC message answering the request, when there was one. */
  message?: {
    jsonrpc: string;
    id?: number;
    result?: Record<string, unknown>;
    error?: { code: number; message: string };
  };
  text: string;
}

/** The JSON-RPC messages of an SSE body: the `data:` lines of each event, joined. */
function sseMessages(body: string): unknown[] {
  const messages: unknown[] = [];
  for (const event of body.split(/\r?\n\r?\n/)) {
    const data = event
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''))
      .join('\n');
    if (data) messages.push(JSON.parse(data));
  }
  return messages;
}

export class RawMcpClient {
  sessionId: string | undefined;
  private nextId = 1;

  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string>,
  ) {}

  /** POSTs one JSON-RPC message as the spec's client would. */
  async post(body: Record<string, unknown>, extraHeaders: Record<string, string> = {}): Promise<RawReply> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(this.sessionId ? { 'mcp-session-id': this.sessionId } : {}),
        ...(body.method !== 'initialize' ? { 'mcp-protocol-version': RAW_PROTOCOL_VERSION } : {}),
        ...this.headers,
        ...extraHeaders,
      },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    let message: RawReply['message'];
    if (type.startsWith('application/json') && text) message = JSON.parse(text);
    else if (type.startsWith('text/event-stream'))
      message = sseMessages(text).find(
        (m): m is NonNullable<RawReply['message']> =>
          typeof m === 'object' && m !== null && 'id' in m && m.id === body.id,
      );
    return { status: response.status, headers: response.headers, message, text };
  }

  async request(method: string, params?: Record<string, unknown>, extraHeaders?: Record<string, string>) {
    return this.post(
      { jsonrpc: '2.0', id: this.nextId++, method, ...(params ? { params } : {}) },
      extraHeaders,
    );
  }

  /** initialize, then notifications/initialized: the lifecycle's opening. */
  async connect(): Promise<RawReply> {
    const init = await this.request('initialize', {
      protocolVersion: RAW_PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'raw-wire-test', version: '1.0.0' },
    });
    this.sessionId = init.headers.get('mcp-session-id') ?? undefined;
    const initialized = await this.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    if (initialized.status !== 202)
      throw new Error(`notifications/initialized answered ${initialized.status}`);
    return init;
  }

  /** DELETE with the session id: the spec's explicit end of a session. */
  async terminate(): Promise<number> {
    const response = await fetch(this.url, {
      method: 'DELETE',
      headers: {
        ...(this.sessionId ? { 'mcp-session-id': this.sessionId } : {}),
        'mcp-protocol-version': RAW_PROTOCOL_VERSION,
        ...this.headers,
      },
    });
    await response.body?.cancel();
    return response.status;
  }
}

/**
 * The same client over the spec's stdio transport: a child process, one JSON-RPC message per
 * line on its stdin, answers read line by line from its stdout (stderr is only logging).
 */
export class RawStdioClient {
  private buffer = '';
  private readonly waiting = new Map<number, (message: NonNullable<RawReply['message']>) => void>();
  private nextId = 1;

  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      this.buffer += chunk;
      let newline = this.buffer.indexOf('\n');
      while (newline >= 0) {
        const line = this.buffer.slice(0, newline).trim();
        this.buffer = this.buffer.slice(newline + 1);
        newline = this.buffer.indexOf('\n');
        if (!line) continue;
        const message = JSON.parse(line) as NonNullable<RawReply['message']>;
        if (typeof message.id === 'number') this.waiting.get(message.id)?.(message);
      }
    });
  }

  private send(message: Record<string, unknown>): void {
    this.child.stdin.write(`${JSON.stringify(message)}\n`);
  }

  request(method: string, params?: Record<string, unknown>): Promise<NonNullable<RawReply['message']>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.send({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) });
    });
  }

  async connect(): Promise<NonNullable<RawReply['message']>> {
    const init = await this.request('initialize', {
      protocolVersion: RAW_PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'raw-wire-test', version: '1.0.0' },
    });
    this.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return init;
  }

  /** Closing stdin is how the spec's client ends a stdio session. */
  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end();
    await exited;
  }
}
