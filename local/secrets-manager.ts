// A local AWS Secrets Manager endpoint speaking the service's JSON protocol (awsJson1_1: POST /,
// `X-Amz-Target: secretsmanager.<Operation>`), for the operations secrets-sync sends: ListSecrets and
// GetSecretValue. The real SDK client talks to it unchanged, so the adapter is tested against the SDK's own
// request and response shapes; Powertools Parameters reads through it as in AWS (a rotation by `put`).
// Requests that the real service would refuse are answered with its error shape.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export interface LocalSecret {
  name: string;
  value?: string;
  binary?: boolean;
  tags?: Record<string, string>;
  /** Scheduled for deletion (DeletedDate set; GetSecretValue answers InvalidRequestException). */
  deleted?: boolean;
}

export interface LocalSecretsManager {
  endpoint: string;
  secrets: Map<string, LocalSecret>;
  /** Every request: operation and parsed body. */
  requests: Array<{ target: string; body: Record<string, unknown> }>;
  /** Answer the next `times` requests of `operation` with this error type (e.g. 'AccessDeniedException'). */
  failNext(operation: string, type: string, times?: number): void;
  /** Creates or rotates a secret: the next read (once the reader's cache lets it) sees this value. */
  put(secretId: string, value: string): void;
  /** Answers reads of `secretId` with this service error (e.g. 'AccessDeniedException') until cleared. */
  deny(secretId: string, errorType: string | undefined): void;
  /** Every GetSecretValue, in order: the secret id asked for. */
  reads: string[];
  /** An SDK client pointed at this endpoint (static dummy credentials, no retries). */
  client(): SecretsManagerClient;
  close(): Promise<void>;
}

const FILTER_KEYS = new Set([
  'description',
  'name',
  'tag-key',
  'tag-value',
  'primary-region',
  'owning-service',
  'all',
]);
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

const arnOf = (name: string): string =>
  `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-${Buffer.from(name).toString('hex').slice(0, 6).padEnd(6, '0')}`;

function answer(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-requestid': randomUUID(),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(JSON.stringify(body));
}

const error = (res: ServerResponse, type: string, message: string, status = 400) =>
  answer(res, status, { __type: type, message }, type);

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Secrets Manager's `name` filter: a prefix match; tag filters: any tag with that key / value (unpaired). */
function passes(secret: LocalSecret, filters: Array<{ Key: string; Values: string[] }>): boolean {
  return filters.every((f) => {
    const tags = Object.entries(secret.tags ?? {});
    if (f.Key === 'name') return f.Values.some((v) => secret.name.startsWith(v));
    if (f.Key === 'tag-key') return f.Values.some((v) => tags.some(([k]) => k.startsWith(v)));
    if (f.Key === 'tag-value') return f.Values.some((v) => tags.some(([, value]) => value.startsWith(v)));
    return true;
  });
}

export async function startLocalSecretsManager(initial: LocalSecret[] = []): Promise<LocalSecretsManager> {
  const secrets = new Map(initial.map((s) => [s.name, s]));
  const requests: LocalSecretsManager['requests'] = [];
  const faults: Array<{ operation: string; type: string; left: number }> = [];
  const denied = new Map<string, string>();
  const reads: string[] = [];

  const listSecrets = (res: ServerResponse, body: Record<string, unknown>) => {
    const filters = (body.Filters ?? []) as Array<{ Key: string; Values: string[] }>;
    for (const f of filters) {
      if (!FILTER_KEYS.has(f.Key) || !Array.isArray(f.Values) || f.Values.length === 0) {
        return error(res, 'InvalidParameterException', `Invalid filter key or values: ${String(f.Key)}`);
      }
    }
    const max = body.MaxResults === undefined ? 100 : Number(body.MaxResults);
    if (!Number.isInteger(max) || max < 1 || max > 100) {
      return error(res, 'InvalidParameterException', 'MaxResults must be between 1 and 100');
    }
    const all = [...secrets.values()]
      .filter((s) => body.IncludePlannedDeletion === true || !s.deleted)
      .filter((s) => passes(s, filters))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    const start = typeof body.NextToken === 'string' ? Number(body.NextToken) : 0;
    const page = all.slice(start, start + max);
    const next = start + max < all.length ? String(start + max) : undefined;
    return answer(res, 200, {
      SecretList: page.map((s) => ({
        ARN: arnOf(s.name),
        Name: s.name,
        Tags: Object.entries(s.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
        ...(s.deleted ? { DeletedDate: 1764576000 } : {}),
        LastChangedDate: 1764576000,
      })),
      ...(next ? { NextToken: next } : {}),
    });
  };

  const getSecretValue = (res: ServerResponse, body: Record<string, unknown>) => {
    const id = typeof body.SecretId === 'string' ? body.SecretId : '';
    reads.push(id);
    const refusal = denied.get(id);
    if (refusal) return error(res, refusal, `${refusal} for the secret`);
    const secret = [...secrets.values()].find((s) => s.name === id || arnOf(s.name) === id);
    if (!secret)
      return error(res, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    if (secret.deleted) {
      return error(
        res,
        'InvalidRequestException',
        "You tried to perform the operation on a secret that's currently marked deleted.",
      );
    }
    return answer(res, 200, {
      ARN: arnOf(secret.name),
      Name: secret.name,
      VersionId: randomUUID(),
      VersionStages: ['AWSCURRENT'],
      CreatedDate: 1764576000,
      ...(secret.binary
        ? { SecretBinary: Buffer.from(secret.value ?? '').toString('base64') }
        : { SecretString: secret.value ?? '' }),
    });
  };

  const server = createServer((req, res) => {
    void bodyOf(req).then((text) => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.replace(/^secretsmanager\./, '');
      let body: Record<string, unknown>;
      try {
        body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
      } catch {
        return error(res, 'SerializationException', 'Start of structure or map found where not expected.');
      }
      requests.push({ target, body });
      if (req.method !== 'POST' || !target.startsWith('secretsmanager.')) {
        return error(res, 'UnknownOperationException', `unknown operation ${target}`);
      }
      const fault = faults.find((f) => f.operation === operation && f.left > 0);
      if (fault) {
        fault.left -= 1;
        return error(res, fault.type, `injected ${fault.type}`);
      }
      if (operation === 'ListSecrets') return listSecrets(res, body);
      if (operation === 'GetSecretValue') return getSecretValue(res, body);
      return error(res, 'UnknownOperationException', `operation ${operation} is not served locally`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    secrets,
    requests,
    reads,
    failNext(operation, type, times = 1) {
      faults.push({ operation, type, left: times });
    },
    put(secretId, value) {
      secrets.set(secretId, { ...secrets.get(secretId), name: secretId, value });
    },
    deny(secretId, errorType) {
      if (errorType === undefined) denied.delete(secretId);
      else denied.set(secretId, errorType);
    },
    client: () =>
      new SecretsManagerClient({
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 1,
      }),
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
