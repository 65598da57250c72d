import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BODY_EXCERPT_LENGTH, bodyExcerpt, ConsoleApiError, redact } from '#lib/console/errors.ts';

const JWT =
  'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjbGllbnQiLCJleHAiOjE3NjgwMDAwMDB9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

describe('redact', () => {
  it.each([
    [`Bearer ${JWT}`],
    [`authorization: Bearer opaque-token-123456`],
    [`{"access_token":"opaque-token-123456","token_type":"Bearer"}`],
    [`token=${JWT}&x=1`],
    [`invalid token ${JWT} for audience`],
    ['Authorization: Basic Y2xpZW50OnNlY3JldC12YWx1ZQ=='],
  ])('removes the token from %j', (input) => {
    // Act
    const out = redact(input);

    // Assess
    expect(out).toContain('[redacted]');
    expect(out).not.toContain(JWT);
    expect(out).not.toContain('opaque-token-123456');
    expect(out).not.toContain('Y2xpZW50OnNlY3JldC12YWx1ZQ');
  });

  it('removes exact secrets that look like nothing in particular', () => {
    // Act
    const out = redact('rejected credential s3cr3t-opaque-value (expired)', ['s3cr3t-opaque-value']);

    // Assess
    expect(out).toBe('rejected credential [redacted] (expired)');
  });

  it('leaves ordinary error text alone', () => {
    // Act
    const out = redact('{"message":"Cluster not found","token_type":"n/a"}');

    // Assess
    expect(out).toBe('{"message":"Cluster not found","token_type":"n/a"}');
  });
});

describe('ConsoleApiError', () => {
  it('names method, path, status and the body excerpt in its message', () => {
    // Act
    const error = new ConsoleApiError({
      method: 'GET',
      path: '/clusters/abc',
      route: 'GET /clusters/{clusterUuid}',
      status: 503,
      code: 'http',
      body: 'upstream unavailable',
      attempts: 5,
    });

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConsoleApiError');
    expect(error.message).toBe(
      'console api GET /clusters/abc failed: 503 after 5 attempts: upstream unavailable',
    );
    expect(error.maybeApplied).toBe(false);
  });

  it('cuts the excerpt to ~300 characters and redacts before cutting', () => {
    // Prepare
    const body = `${'x'.repeat(BODY_EXCERPT_LENGTH - 10)} Bearer ${JWT} ${'y'.repeat(1_000)}`;

    // Act
    const error = new ConsoleApiError({
      method: 'POST',
      path: '/clusters',
      route: 'POST /clusters',
      status: 500,
      code: 'http',
      body,
      attempts: 1,
    });

    // Assess
    expect(error.bodyExcerpt.length).toBeLessThanOrEqual(BODY_EXCERPT_LENGTH + 1);
    expect(error.bodyExcerpt).not.toContain('eyJ');
    expect(error.message).not.toContain('eyJ');
  });

  it('keeps the token out of message, excerpt, JSON and inspect output', () => {
    // Prepare
    const token = 'opaque-bearer-token-0123456789';

    // Act
    const error = new ConsoleApiError({
      method: 'GET',
      path: '/clusters',
      route: 'GET /clusters',
      status: 401,
      code: 'http',
      body: `token ${token} rejected; got header Bearer ${token}`,
      detail: `while using ${token}`,
      attempts: 2,
      secrets: [token],
    });

    // Assess
    for (const rendering of [
      error.message,
      error.bodyExcerpt,
      JSON.stringify(error),
      inspect(error),
      String(error),
    ]) {
      expect(rendering).not.toContain(token);
    }
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({
      name: 'ConsoleApiError',
      status: 401,
      attempts: 2,
    });
  });

  it('keeps the cause', () => {
    // Prepare
    const cause = new TypeError('fetch failed');

    // Act
    const error = new ConsoleApiError({
      method: 'GET',
      path: '/clusters',
      route: 'GET /clusters',
      code: 'network',
      attempts: 1,
      cause,
    });

    // Assess
    expect(error.cause).toBe(cause);
    expect(error.status).toBeUndefined();
    expect(error.message).toBe('console api GET /clusters failed: network');
  });
});

describe('bodyExcerpt and short secrets', () => {
  it('withholds a body holding a secret too short to scrub, and keeps one that does not hold it', () => {
    // Act
    const holding = bodyExcerpt('{"message":"value pw1 is too short"}', ['pw1', 'long-bearer-token-123']);
    const clean = bodyExcerpt('{"message":"name taken"}', ['pw1']);

    // Assess
    expect(holding).not.toContain('pw1');
    expect(holding).toContain('withheld');
    expect(clean).toBe('{"message":"name taken"}');
  });
});
