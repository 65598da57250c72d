// A fault-injecting HTTP proxy in front of a DynamoDB endpoint: answers chosen operations with the real
// wire-protocol error DynamoDB sends (throttling, 500), or drops connections, and forwards the rest.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type DynamoFault = 'throttle' | 'provisioned' | 'internal' | 'reset' | 'conditional';

export interface DynamoProxy {
  endpoint: string;
  /**
   * Fault for an operation ('GetItem', 'UpdateItem', … or '*'); `times` limits how often; `match`, when
   * given, limits the rule to requests whose body contains it (e.g. one item's key: a hot key throttled).
   */
  fail(operation: string, fault: DynamoFault, times?: number, match?: string): void;
  clear(): void;
  calls: Record<string, number>;
  close(): Promise<void>;
}

export async function startDynamoProxy(target: string): Promise<DynamoProxy> {
  const rules: Array<{ operation: string; fault: DynamoFault; left: number; match?: string }> = [];
  const calls: Record<string, number> = {};
  const targetUrl = new URL(target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      calls[operation] = (calls[operation] ?? 0) + 1;
      const body = Buffer.concat(chunks);
      const rule = rules.find(
        (r) =>
          (r.operation === operation || r.operation === '*') &&
          r.left > 0 &&
          (r.match === undefined || body.includes(r.match)),
      );
      if (rule) {
        rule.left--;
        if (rule.fault === 'reset') {
          req.socket.destroy();
          return;
        }
        const [status, type, message] =
          rule.fault === 'provisioned'
            ? [
                400,
                'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
                'The level of configured provisioned throughput for the table was exceeded.',
              ]
            : rule.fault === 'throttle'
              ? [
                  400,
                  'com.amazonaws.dynamodb.v20120810#ThrottlingException',
                  'Rate of requests exceeds the allowed throughput.',
                ]
              : rule.fault === 'conditional'
                ? [
                    400,
                    'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
                    'The conditional request failed',
                  ]
                : [500, 'com.amazonaws.dynamodb.v20120810#InternalServerError', 'Internal server error'];
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'proxy' });
        res.end(JSON.stringify({ __type: type, message }));
        return;
      }
      const upstream = request(
        {
          host: targetUrl.hostname,
          port: targetUrl.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (up) => {
          res.writeHead(up.statusCode ?? 500, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => req.socket.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    fail(operation, fault, times = Number.POSITIVE_INFINITY, match) {
      rules.push({ operation, fault, left: times, match });
    },
    clear() {
      rules.length = 0;
    },
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
