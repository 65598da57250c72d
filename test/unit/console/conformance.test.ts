// Every client method against the committed spec: the request it sends is a spec operation, with the
// method and path the spec says, a body that validates, and a bearer token exactly where the spec wants one.
import { describe, expect, it } from 'vitest';
import type { ConsoleClient } from '#lib/console/client.ts';
import { matchOperation, spec, validateRequestBody } from '#local/sim/spec.ts';
import {
  backupFixture,
  clusterFixture,
  empty,
  json,
  parametersFixture,
  type SentRequest,
  testClient,
} from '#test/unit/console/fakes.ts';

/** A plausible success answer per operation, so every method completes. */
const ANSWERS: Record<string, () => Response> = {
  GetClusters: () => json([clusterFixture]),
  GetCluster: () => json(clusterFixture),
  CreateCluster: () => json({ clusterId: 'c-new' }),
  DeleteCluster: () => empty(204),
  GetParameters: () => json(parametersFixture),
  Wake: () => empty(204),
  GetBackups: () => json([backupFixture]),
  CreateBackup: () => json(backupFixture),
  DeleteBackup: () => json(backupFixture),
  GetSchedule: () => json({ name: 'daily', schedule: '0 2 * * *' }),
  UpdateSchedule: () => json({ name: 'daily', schedule: '0 2 * * *' }),
  DeleteSchedule: () => empty(204),
  UpdateIpAllowlist: () => empty(204),
  GetMeta: () => json({ 'web-modeler': ['192.0.2.1/32'] }),
  RestoreFromBackup: () => json({ uuid: 'r-1', backupId: 'b?1', state: 'PENDING' }),
  GetRestore: () => json({ uuid: 'r-1', backupId: 'b?1', state: 'COMPLETED' }),
  GetSecrets: () => json({ API_KEY: 'value' }),
  CreateSecret: () => empty(204),
  UpdateSecret: () => empty(204),
  GetClients: () => json([{ name: 'worker', clientId: 'id-1', permissions: ['Zeebe'] }]),
  CreateClient: () =>
    json({
      name: 'worker',
      uuid: 'u-1',
      clientId: 'id-1',
      clientSecret: 's-1',
      permissions: ['Zeebe'],
      audience: 'zeebe.camunda.io',
    }),
  DeleteClient: () => empty(204),
};

const CLUSTER = 'c 1/ü';
const BACKUP = 'b?1';

/** Each client method, the call to make, and the spec operation it must become. */
const CASES: Array<[string, (c: ConsoleClient) => Promise<unknown>, string]> = [
  ['listClusters', (c) => c.listClusters(), 'GetClusters'],
  ['getCluster', (c) => c.getCluster(CLUSTER), 'GetCluster'],
  [
    'createCluster',
    (c) =>
      c.createCluster({
        name: 'nightly-test',
        planTypeId: 'plan-1',
        channelId: 'ch-1',
        generationId: 'gen-1',
        regionId: 'reg-1',
        description: 'created by the conformance test',
        stageLabel: 'dev',
        autoUpdate: true,
      }),
    'CreateCluster',
  ],
  ['deleteCluster', (c) => c.deleteCluster(CLUSTER), 'DeleteCluster'],
  ['getParameters', (c) => c.getParameters(), 'GetParameters'],
  ['wakeCluster', (c) => c.wakeCluster(CLUSTER), 'Wake'],
  ['listBackups', (c) => c.listBackups(CLUSTER), 'GetBackups'],
  ['createBackup', (c) => c.createBackup(CLUSTER), 'CreateBackup'],
  ['deleteBackup', (c) => c.deleteBackup(CLUSTER, BACKUP), 'DeleteBackup'],
  ['getBackupSchedule', (c) => c.getBackupSchedule(CLUSTER), 'GetSchedule'],
  ['putBackupSchedule', (c) => c.putBackupSchedule(CLUSTER, '0 2 * * *'), 'UpdateSchedule'],
  ['deleteBackupSchedule', (c) => c.deleteBackupSchedule(CLUSTER), 'DeleteSchedule'],
  [
    'putIpAllowlist',
    (c) =>
      c.putIpAllowlist(CLUSTER, [
        { ip: '10.0.0.0/8', description: 'office' },
        { ip: '192.0.2.0/24,198.51.100.7/32', description: 'vpn' },
      ]),
    'UpdateIpAllowlist',
  ],
  ['getIpRanges', (c) => c.getIpRanges(), 'GetMeta'],
  ['restoreBackup', (c) => c.restoreBackup(CLUSTER, BACKUP), 'RestoreFromBackup'],
  ['getRestore', (c) => c.getRestore(CLUSTER, BACKUP), 'GetRestore'],
  ['getSecrets', (c) => c.getSecrets(CLUSTER), 'GetSecrets'],
  ['createSecret', (c) => c.createSecret(CLUSTER, 'API_KEY', 'v'), 'CreateSecret'],
  ['updateSecret', (c) => c.updateSecret(CLUSTER, 'b?1', 'v'), 'UpdateSecret'],
  ['deleteSecret', (c) => c.deleteSecret(CLUSTER, 'b?1'), 'DeleteSecret'],
  ['listApiClients', (c) => c.listApiClients(CLUSTER), 'GetClients'],
  [
    'createApiClient',
    (c) => c.createApiClient(CLUSTER, { clientName: 'worker', permissions: ['Zeebe', 'Operate'] }),
    'CreateClient',
  ],
  ['deleteApiClient', (c) => c.deleteApiClient(CLUSTER, BACKUP), 'DeleteClient'],
];

/** Where the spec puts an operation: its method and path template. */
function specRouteOf(operationId: string): { method: string; template: string; needsAuth: boolean } {
  for (const [template, ops] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (op.operationId === operationId) {
        return {
          method: method.toUpperCase(),
          template,
          needsAuth: (op.security ?? [{ bearer: [] }]).length > 0,
        };
      }
    }
  }
  throw new Error(`no operation ${operationId} in the spec`);
}

function answer(request: SentRequest): Response {
  const op = matchOperation(request.method, request.pathname);
  const respond = op ? ANSWERS[op.operationId] : undefined;
  return respond ? respond() : new Response('not in the spec', { status: 404 });
}

describe('conformance with the committed spec', () => {
  it('covers every client method', () => {
    // Prepare
    const { client } = testClient([answer]);

    // Act
    const methods = Object.keys(client).filter((k) => k !== 'stats');

    // Assess
    expect(methods.sort()).toEqual(CASES.map(([name]) => name).sort());
  });

  it.each(CASES)('%s sends the spec operation', async (_name, call, operationId) => {
    // Prepare
    const { client, http } = testClient([answer]);
    const expected = specRouteOf(operationId);

    // Act
    await call(client);

    // Assess: exactly one request, matching the operation
    expect(http.requests).toHaveLength(1);
    const [request] = http.requests;
    if (!request) throw new Error('no request');
    const matched = matchOperation(request.method, request.pathname);
    expect(matched?.operationId).toBe(operationId);
    expect(request.method).toBe(expected.method);
    expect(matched?.template).toBe(expected.template);

    // Assess: path parameters survive the round trip through URL encoding
    for (const value of Object.values(matched?.params ?? {})) expect([CLUSTER, BACKUP]).toContain(value);

    // Assess: the body validates against the operation's request schema (or there is none)
    const body = request.body === undefined ? undefined : JSON.parse(request.body);
    expect(validateRequestBody(request.method, request.pathname, body)).toEqual({ ok: true });
    expect(Boolean(request.body)).toBe(Boolean(matched?.hasBody));
    if (request.body !== undefined) expect(request.headers['content-type']).toBe('application/json');

    // Assess: a bearer token exactly where the spec needs one
    expect(matched?.needsAuth).toBe(expected.needsAuth);
    if (expected.needsAuth) expect(request.headers.authorization).toMatch(/^Bearer \S+$/);
    else expect(request.headers).not.toHaveProperty('authorization');

    // Assess: never the deprecated endpoint
    expect(request.pathname).not.toMatch(/ipwhitelist/i);
  });

  it('never sends a request to /ipwhitelist, whichever method is called', async () => {
    // Prepare
    const { client, http } = testClient([answer]);

    // Act
    for (const [, call] of CASES) await call(client);

    // Assess
    expect(http.requests).toHaveLength(CASES.length);
    expect(http.requests.filter((r) => /ipwhitelist/i.test(r.url))).toEqual([]);
    expect(http.requests.filter((r) => r.body?.includes('ipwhitelist'))).toEqual([]);
  });
});
