// One attempt on its own: what it answers for a response, a timeout (headers or body), a caller's abort and
// a broken connection, and how paths are filled.
import { describe, expect, it } from 'vitest';
import { type AttemptRequest, createTransport, fillPath, systemCode } from '#lib/console/transport.ts';
import { hang, json, reset, scriptedFetch, text } from '#test/unit/console/fakes.ts';

const get = (signal?: AbortSignal): AttemptRequest => ({
  url: 'https://console.test/clusters',
  method: 'GET',
  headers: { accept: 'application/json' },
  body: undefined,
  signal,
});

/** A response whose headers arrive but whose body never ends (until the request's signal aborts). */
function endlessBody(init: RequestInit | undefined): Response {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('['));
      if (init?.signal?.aborted) controller.error(init.signal.reason);
      init?.signal?.addEventListener('abort', () => controller.error(init.signal?.reason), { once: true });
    },
  });
  return new Response(stream, { status: 200 });
}

describe('createTransport', () => {
  it('answers status, text and Retry-After of a response, whatever the status', async () => {
    // Prepare
    const http = scriptedFetch([() => text('slow down', 429, { 'retry-after': '3' })]);
    const send = createTransport(http.fetch, 1_000);

    // Act
    const attempt = await send(get());

    // Assess
    expect(attempt).toEqual({ kind: 'response', status: 429, text: 'slow down', retryAfter: '3' });
    expect(http.requests[0]).toMatchObject({ method: 'GET', headers: { accept: 'application/json' } });
  });

  it('passes method, headers and body through', async () => {
    // Prepare
    const http = scriptedFetch([() => json({ clusterId: 'c' })]);
    const send = createTransport(http.fetch, 1_000);

    // Act
    await send({
      ...get(),
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });

    // Assess
    expect(http.requests[0]).toMatchObject({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
  });

  it('reports a hanging request as a timeout', async () => {
    // Prepare
    const send = createTransport(scriptedFetch([hang]).fetch, 1);

    // Act
    const attempt = await send(get());

    // Assess
    expect(attempt.kind).toBe('timeout');
  });

  it('covers reading the body with the same timeout', async () => {
    // Prepare
    const send = createTransport((async (_url, init) => endlessBody(init)) as typeof fetch, 1);

    // Act
    const attempt = await send(get());

    // Assess
    expect(attempt.kind).toBe('timeout');
  });

  it("reports the caller's abort as aborted, never as a timeout", async () => {
    // Prepare
    const controller = new AbortController();
    const send = createTransport(scriptedFetch([hang]).fetch, 60_000);

    // Act
    const pending = send(get(controller.signal));
    controller.abort(new Error('run cancelled'));
    const attempt = await pending;

    // Assess
    expect(attempt).toMatchObject({ kind: 'aborted', error: new Error('run cancelled') });
  });

  it('reports a broken connection as network, with the error', async () => {
    // Prepare
    const send = createTransport(scriptedFetch([reset]).fetch, 1_000);

    // Act
    const attempt = await send(get());

    // Assess
    expect(attempt.kind).toBe('network');
    expect(attempt.kind === 'network' && systemCode(attempt.error)).toBe(': ECONNRESET');
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses a timeout of %d ms', (timeoutMs) => {
    // Act + Assess
    expect(() => createTransport(scriptedFetch([hang]).fetch, timeoutMs)).toThrow(RangeError);
  });
});

describe('systemCode', () => {
  it('finds an errno-style code down the cause chain, and nothing else', () => {
    // Prepare
    const deep = new TypeError('fetch failed', {
      cause: new Error('connect', { cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) }),
    });

    // Act + Assess
    expect(systemCode(deep)).toBe(': ECONNREFUSED');
    expect(systemCode(Object.assign(new Error('x'), { code: 'not a code' }))).toBe('');
    expect(systemCode('ECONNRESET')).toBe('');
  });
});

describe('fillPath', () => {
  it('URL-encodes each parameter', () => {
    // Act
    const path = fillPath('/clusters/{clusterUuid}/backups/{backupId}', {
      clusterUuid: 'a/b c',
      backupId: 'x?y#z',
    });

    // Assess
    expect(path).toBe('/clusters/a%2Fb%20c/backups/x%3Fy%23z');
  });

  it.each<Record<string, string> | undefined>([undefined, {}, { clusterUuid: '' }])(
    'refuses a missing or empty parameter: %j',
    (params) => {
      // Act + Assess
      expect(() => fillPath('/clusters/{clusterUuid}', params)).toThrow(
        'path parameter clusterUuid is required',
      );
    },
  );
});
