// The operation table: each Console operation as its route, path parameters, body, and how its answer is
// read (decoded, a fixed answer, or a 404 that means "none"). The request loop does the rest.
import type { ConsoleClient } from '#lib/console/client.ts';
import {
  decodeApiClients,
  decodeBackup,
  decodeBackups,
  decodeCluster,
  decodeClusters,
  decodeCreatedApiClient,
  decodeCreatedCluster,
  decodeIpRanges,
  decodeParameters,
  decodeRestore,
  decodeSchedule,
  decodeSecrets,
} from '#lib/console/decode.ts';
import type { Requester } from '#lib/console/request.ts';

const byId = (clusterId: string) => ({ clusterUuid: clusterId });
const deleted = { answer: 'deleted' as const, notFound: () => 'not-found' as const };

/** Every Console operation of the client, over one request function. */
export function consoleOperations({ request }: Pick<Requester, 'request'>): ConsoleClient {
  return {
    listClusters: (options) =>
      request({ route: 'GET /clusters', params: undefined, decode: decodeClusters, ...options }),
    getCluster: (clusterId, options) =>
      request({
        route: 'GET /clusters/{clusterUuid}',
        params: byId(clusterId),
        decode: decodeCluster,
        notFound: () => undefined,
        ...options,
      }),
    createCluster: (body, options) =>
      request({ route: 'POST /clusters', params: undefined, body, decode: decodeCreatedCluster, ...options }),
    deleteCluster: (clusterId, options) =>
      request({ route: 'DELETE /clusters/{clusterUuid}', params: byId(clusterId), ...deleted, ...options }),
    getParameters: (options) =>
      request({ route: 'GET /clusters/parameters', params: undefined, decode: decodeParameters, ...options }),
    wakeCluster: (clusterId, options) =>
      request({
        route: 'PUT /clusters/{clusterUuid}/wake',
        params: byId(clusterId),
        answer: undefined,
        ...options,
      }),
    listBackups: (clusterId, options) =>
      request({
        route: 'GET /clusters/{clusterUuid}/backups',
        params: byId(clusterId),
        decode: decodeBackups,
        ...options,
      }),
    createBackup: (clusterId, options) =>
      request({
        route: 'POST /clusters/{clusterUuid}/backups',
        params: byId(clusterId),
        decode: decodeBackup,
        ...options,
      }),
    deleteBackup: (clusterId, backupId, options) =>
      request({
        route: 'DELETE /clusters/{clusterUuid}/backups/{backupId}',
        params: { clusterUuid: clusterId, backupId },
        ...deleted,
        ...options,
      }),
    getBackupSchedule: (clusterId, options) =>
      request({
        route: 'GET /clusters/{clusterUuid}/backups/schedule',
        params: byId(clusterId),
        decode: decodeSchedule,
        notFound: () => undefined,
        ...options,
      }),
    putBackupSchedule: (clusterId, cron, options) =>
      request({
        route: 'PUT /clusters/{clusterUuid}/backups/schedule',
        params: byId(clusterId),
        body: { schedule: cron },
        decode: decodeSchedule,
        ...options,
      }),
    deleteBackupSchedule: (clusterId, options) =>
      request({
        route: 'DELETE /clusters/{clusterUuid}/backups/schedule',
        params: byId(clusterId),
        ...deleted,
        ...options,
      }),
    restoreBackup: (clusterId, backupId, options) =>
      request({
        route: 'POST /clusters/{clusterUuid}/backups/{backupId}/restore',
        params: { clusterUuid: clusterId, backupId },
        decode: decodeRestore,
        ...options,
      }),
    getRestore: (clusterId, backupId, options) =>
      request({
        route: 'GET /clusters/{clusterUuid}/backups/{backupId}/restore',
        params: { clusterUuid: clusterId, backupId },
        decode: decodeRestore,
        notFound: () => undefined,
        ...options,
      }),
    putIpAllowlist: async (clusterId, entries, options) => {
      if (entries.length === 0 && options?.allowEmpty !== true) {
        throw new RangeError(
          'refusing to send an empty ip allowlist (it opens the cluster to every address); pass allowEmpty: true',
        );
      }
      await request({
        route: 'PUT /clusters/{clusterUuid}/ipallowlist',
        params: byId(clusterId),
        body: { ipallowlist: entries.map((entry) => ({ description: entry.description, ip: entry.ip })) },
        answer: undefined,
        signal: options?.signal,
      });
    },
    getIpRanges: (options) =>
      request({
        route: 'GET /meta/ip-ranges',
        params: undefined,
        auth: false,
        decode: decodeIpRanges,
        ...options,
      }),
    getSecrets: (clusterId, options) =>
      request({
        route: 'GET /clusters/{clusterUuid}/secrets',
        params: byId(clusterId),
        decode: decodeSecrets,
        sensitiveResponse: true,
        ...options,
      }),
    createSecret: async (clusterId, name, value, options) => {
      await request({
        route: 'POST /clusters/{clusterUuid}/secrets',
        params: byId(clusterId),
        body: { secretName: name, secretValue: value },
        answer: undefined,
        secretValues: [value],
        signal: options?.signal,
      });
    },
    updateSecret: async (clusterId, name, value, options) => {
      await request({
        route: 'PUT /clusters/{clusterUuid}/secrets/{secretName}',
        params: { clusterUuid: clusterId, secretName: name },
        body: { secretValue: value },
        answer: undefined,
        secretValues: [value],
        retryConflict: true,
        signal: options?.signal,
      });
    },
    listApiClients: (clusterId, options) =>
      request({
        route: 'GET /clusters/{clusterUuid}/clients',
        params: byId(clusterId),
        decode: decodeApiClients,
        ...options,
      }),
    createApiClient: (clusterId, body, options) =>
      request({
        route: 'POST /clusters/{clusterUuid}/clients',
        params: byId(clusterId),
        body: {
          clientName: body.clientName,
          ...(body.permissions ? { permissions: [...body.permissions] } : {}),
        },
        decode: decodeCreatedApiClient,
        sensitiveResponse: true,
        ...options,
      }),
    deleteApiClient: (clusterId, clientId, options) =>
      request({
        route: 'DELETE /clusters/{clusterUuid}/clients/{clientId}',
        params: { clusterUuid: clusterId, clientId },
        ...deleted,
        ...options,
      }),
  };
}
