// A local Secrets Manager endpoint speaking the service's JSON protocol (awsJson1.1: POST /, header
// `X-Amz-Target: secretsmanager.GetSecretValue`), enough for the AWS SDK client and Powertools Parameters
// to read secrets as they do in AWS: values by id, a rotation by `put`, errors as the service sends them
// (`__type` + `message`, HTTP 400), and a log of the secret ids read.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export interface LocalSecretsManager {
  endpoint: string;
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

const JSON_TYPE = 'application/x-amz-json-1.1';

export async function startLocalSecretsManager(): Promise<LocalSecretsManager> {
  const secrets = new Map<string, { value: string; versionId: string; created: number }>();
  const denied = new Map<string, string>();
  const reads: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = (status: number, body: unknown, errorType?: string) => {
        res.writeHead(status, {
          'content-type': JSON_TYPE,
          'x-amzn-requestid': randomUUID(),
          ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
        });
        res.end(JSON.stringify(body));
      };
      const target = String(req.headers['x-amz-target'] ?? '');
      if (req.method !== 'POST' || target !== 'secretsmanager.GetSecretValue') {
        answer(400, { __type: 'UnknownOperationException', message: `not served here: ${target}` });
        return;
      }
      let input: { SecretId?: unknown };
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { SecretId?: unknown };
      } catch {
        answer(400, { __type: 'SerializationException', message: 'body is not JSON' });
        return;
      }
      const id = String(input.SecretId ?? '');
      reads.push(id);
      const error = denied.get(id);
      if (error) {
        answer(400, { __type: error, message: `${error} for the secret` }, error);
        return;
      }
      const stored = secrets.get(id);
      if (!stored) {
        answer(400, {
          __type: 'ResourceNotFoundException',
          message: "Secrets Manager can't find the specified secret.",
        });
        return;
      }
      answer(200, {
        ARN: id.startsWith('arn:') ? id : `arn:aws:secretsmanager:us-east-1:123456789012:secret:${id}-AbCdEf`,
        Name: id,
        VersionId: stored.versionId,
        SecretString: stored.value,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: stored.created / 1000,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    reads,
    put(secretId, value) {
      secrets.set(secretId, { value, versionId: randomUUID(), created: Date.now() });
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
    close: () =>
      new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
