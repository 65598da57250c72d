// One request and its answer: writes JSON / text / empty answers, applies faults, records the status.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Fault, RequestLogEntry } from '#local/sim/types.ts';

/** What a handler decided to answer; written later, unless a fault replaces it. */
export interface Answer {
  status: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

export const jsonAnswer = (status: number, json: unknown, headers?: Record<string, string>): Answer => ({
  status,
  json,
  headers,
});
export const textAnswer = (status: number, text: string, headers?: Record<string, string>): Answer => ({
  status,
  text,
  headers,
});
export const emptyAnswer = (status = 204): Answer => ({ status });

export class Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly entry: RequestLogEntry;
  readonly source: string;
  readonly raw: Buffer;

  constructor(
    req: IncomingMessage,
    res: ServerResponse,
    entry: RequestLogEntry,
    source: string,
    raw: Buffer,
  ) {
    this.req = req;
    this.res = res;
    this.entry = entry;
    this.source = source;
    this.raw = raw;
  }

  get method(): string {
    return (this.req.method ?? 'GET').toUpperCase();
  }

  get path(): string {
    return this.entry.path;
  }

  /** The request's media type, lower-case, without parameters. */
  get contentType(): string {
    return (this.req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  }

  get answered(): boolean {
    return this.res.writableEnded || this.res.destroyed || this.req.socket.destroyed;
  }

  send(answer: Answer): void {
    if (this.answered) return;
    this.entry.status = answer.status;
    const headers: Record<string, string | number> = { ...answer.headers };
    let payload: string | undefined;
    if (answer.json !== undefined) {
      payload = JSON.stringify(answer.json);
      headers['content-type'] = 'application/json';
    } else if (answer.text !== undefined) {
      payload = answer.text;
      headers['content-type'] = 'text/plain; charset=utf-8';
    }
    if (payload !== undefined) headers['content-length'] = Buffer.byteLength(payload);
    this.res.writeHead(answer.status, headers);
    this.res.end(payload);
  }

  /** Replaces the answer by the fault's. 'reset' destroys the socket; 'hang' leaves the request open. */
  applyFault(fault: Fault): void {
    this.entry.fault = fault.kind;
    if (fault.kind === 'reset') {
      this.entry.status = 0;
      this.req.socket.destroy();
      return;
    }
    if (fault.kind === 'hang') {
      this.entry.status = 0;
      return;
    }
    const status = fault.status ?? 500;
    const headers: Record<string, string> = {};
    if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
    this.send(textAnswer(status, fault.body ?? `simulated fault: ${status}`, headers));
  }
}
