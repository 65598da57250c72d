import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  backupFixture,
  clusterFixture,
  fakeTokenSource,
  json,
  rejectionOf,
  testClient,
  text,
} from '#test/unit/console/fakes.ts';

const JWT_1 =
  'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjbGllbnQtMSIsImV4cCI6MTc2ODAwMDAwMH0.c2lnbmF0dXJlLW9uZQ';
const JWT_2 =
  'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjbGllbnQtMiIsImV4cCI6MTc2ODAwMDAwMH0.c2lnbmF0dXJlLXR3bw';

describe('bearer token and 401', () => {
  it('sends the token from the token source as a bearer header', async () => {
    // Prepare
    const { client, http } = testClient([() => json([])], { tokens: fakeTokenSource([JWT_1]) });

    // Act
    await client.listClusters();

    // Assess
    expect(http.requests[0]?.headers.authorization).toBe(`Bearer ${JWT_1}`);
  });

  it('on a 401 invalidates that token, fetches a fresh one and retries once', async () => {
    // Prepare
    const tokens = fakeTokenSource([JWT_1, JWT_2]);
    const { client, http } = testClient([() => text('Unauthorized', 401), () => json([clusterFixture])], {
      tokens,
    });

    // Act
    const clusters = await client.listClusters();

    // Assess
    expect(clusters).toEqual([clusterFixture]);
    expect(tokens.invalidated).toEqual([JWT_1]);
    expect(tokens.issued).toEqual([JWT_1, JWT_2]);
    expect(http.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${JWT_1}`, `Bearer ${JWT_2}`]);
    expect(client.stats).toMatchObject({ tokenRefreshes: 1, retries: 0 });
  });

  it('fails on a second 401 without asking for a third token', async () => {
    // Prepare
    const tokens = fakeTokenSource([JWT_1, JWT_2, 'never-used']);
    const { client, http } = testClient([() => text('Unauthorized', 401)], { tokens });

    // Act
    const error = await rejectionOf(client.getCluster('c-1'));

    // Assess
    expect(http.requests).toHaveLength(2);
    expect(tokens.invalidated).toEqual([JWT_1]);
    expect(tokens.issued).toEqual([JWT_1, JWT_2]);
    expect(error).toMatchObject({ code: 'http', status: 401, attempts: 2 });
  });

  it('resends a POST once after a 401 (a 401 means nothing was done)', async () => {
    // Prepare
    const tokens = fakeTokenSource([JWT_1, JWT_2]);
    const { client, http } = testClient([() => text('Unauthorized', 401), () => json(backupFixture)], {
      tokens,
    });

    // Act
    const backup = await client.createBackup('c-1');

    // Assess
    expect(backup.uuid).toBe('backup-1');
    expect(http.requests.map((r) => r.method)).toEqual(['POST', 'POST']);
    expect(tokens.invalidated).toEqual([JWT_1]);
  });

  it('does not count the 401 resend against maxAttempts', async () => {
    // Prepare
    const { client, http } = testClient([() => text('Unauthorized', 401), () => json([])], {
      retry: { maxAttempts: 1 },
    });

    // Act
    const clusters = await client.listClusters();

    // Assess
    expect(clusters).toEqual([]);
    expect(http.requests).toHaveLength(2);
  });

  it('passes a token source failure through untouched', async () => {
    // Prepare
    const failure = new Error('token endpoint rate limited');
    const { client, http } = testClient([() => json([])], {
      tokens: {
        ...fakeTokenSource(),
        getToken: async () => {
          throw failure;
        },
      },
    });

    // Act
    const error = await client.listClusters().catch((e: unknown) => e);

    // Assess
    expect(error).toBe(failure);
    expect(http.requests).toHaveLength(0);
  });

  it('calls GET /meta/ip-ranges without a token', async () => {
    // Prepare
    const { client, http, tokens } = testClient([() => json({ 'web-modeler': ['192.0.2.1/32'] })]);

    // Act
    const ranges = await client.getIpRanges();

    // Assess
    expect(ranges).toEqual({ 'web-modeler': ['192.0.2.1/32'] });
    expect(http.requests[0]?.headers).not.toHaveProperty('authorization');
    expect(tokens.issued).toHaveLength(0);
  });
});

describe('redaction', () => {
  it('keeps the token out of the error even when the server echoes it', async () => {
    // Prepare
    const opaque = 'opaque-token-not-a-jwt-0123456789';
    const tokens = fakeTokenSource([opaque, JWT_2]);
    const { client, log } = testClient(
      [
        () => text('Unauthorized', 401),
        (request) => text(`rejected ${request.headers.authorization} (raw: ${JWT_2}, again ${opaque})`, 401),
      ],
      { tokens },
    );

    // Act
    const error = await rejectionOf(client.listClusters());

    // Assess
    const renderings = [
      error.message,
      error.bodyExcerpt,
      JSON.stringify(error),
      inspect(error),
      String(error),
    ];
    for (const rendering of renderings) {
      expect(rendering).not.toContain(JWT_2);
      expect(rendering).not.toContain(opaque);
      expect(rendering).not.toContain('eyJ');
    }
    expect(error.bodyExcerpt).toContain('[redacted]');
    expect(JSON.stringify(log.lines)).not.toContain(opaque);
    expect(JSON.stringify(log.lines)).not.toContain(JWT_2);
  });

  it('keeps the token out of errors for invalid responses and out of retry logs', async () => {
    // Prepare
    const tokens = fakeTokenSource([JWT_1]);
    const { client, log } = testClient(
      [() => text('down', 503), (request) => text(`<html>${request.headers.authorization}</html>`, 200)],
      { tokens },
    );

    // Act
    const error = await rejectionOf(client.listClusters());

    // Assess
    expect(error.code).toBe('invalid-response');
    expect(JSON.stringify(error)).not.toContain(JWT_1);
    expect(inspect(error)).not.toContain(JWT_1);
    expect(log.lines.length).toBeGreaterThan(0);
    expect(JSON.stringify(log.lines)).not.toContain(JWT_1);
  });
});

describe('secret values of a request', () => {
  it.each([
    ['a long value', 'long-secret-value-42'],
    ['a short value', 'pw1234'],
    ['a one-character value', 'x'],
  ])('keeps %s the server echoes out of the error', async (_what, value) => {
    // Prepare: the server quotes the value back in its refusal
    const { client } = testClient([
      (request) => text(`{"message":"rejected ${JSON.parse(request.body ?? '{}').secretValue}"}`, 400),
    ]);

    // Act
    const errors = [
      await rejectionOf(client.createSecret('c-1', 'API_KEY', value)),
      await rejectionOf(client.updateSecret('c-1', 'API_KEY', value)),
    ];

    // Assess
    for (const error of errors) {
      expect(error.status).toBe(400);
      for (const rendering of [error.message, error.bodyExcerpt, JSON.stringify(error), inspect(error)]) {
        expect(rendering).not.toContain(`rejected ${value}`);
      }
    }
  });
});
