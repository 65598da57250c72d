// The operation table: each Console operation as its route, path parameters, body, and how its answer is
// read (decoded, a fixed answer, or a 404 that means "none"). The request loop does the rest.
import type { CallOptions, ConsoleClient } from '#lib/console/client.ts';
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
import type { CallReading, ConsoleCall, Requester } from '#lib/console/request.ts';
import type { ConsoleRoute, PathParamsOf } from '#lib/console/types.ts';

/** The routes whose path parameters are exactly `P`. */
type RoutesWith<P> = {
  [R in ConsoleRoute]: [PathParamsOf<R>] extends [P] ? ([P] extends [PathParamsOf<R>] ? R : never) : never;
}[ConsoleRoute];

type ClusterParams = { clusterUuid: string };
type BackupParams = { clusterUuid: string; backupId: string };

const none = () => undefined;
const deleted = { answer: 'deleted' as const, notFound: () => 'not-found' as const };

/** Every Console operation of the client, over one request function. */
export function consoleOperations({ request }: Pick<Requester, 'request'>): ConsoleClient {
  /** An operation of the organization (no path parameters, no body). */
  const organization =
    <R extends RoutesWith<undefined>, T>(route: R, reading: CallReading<T>) =>
    (options?: CallOptions): Promise<T> =>
      request({ route, params: undefined as PathParamsOf<R>, ...reading, ...options } as ConsoleCall<R, T>);
  /** An operation on one cluster (no body). */
  const onCluster =
    <R extends RoutesWith<ClusterParams>, T>(route: R, reading: CallReading<T>) =>
    (clusterId: string, options?: CallOptions): Promise<T> =>
      request({
        route,
        params: { clusterUuid: clusterId } as PathParamsOf<R>,
        ...reading,
        ...options,
      } as ConsoleCall<R, T>);
  /** An operation on one backup of a cluster (no body). */
  const onBackup =
    <R extends RoutesWith<BackupParams>, T>(route: R, reading: CallReading<T>) =>
    (clusterId: string, backupId: string, options?: CallOptions): Promise<T> =>
      request({
        route,
        params: { clusterUuid: clusterId, backupId } as PathParamsOf<R>,
        ...reading,
        ...options,
      } as ConsoleCall<R, T>);

  return {
    listClusters: organization('GET /clusters', { decode: decodeClusters }),
    getParameters: organization('GET /clusters/parameters', { decode: decodeParameters }),
    getIpRanges: organization('GET /meta/ip-ranges', { decode: decodeIpRanges, auth: false }),
    createCluster: (body, options) =>
      request({ route: 'POST /clusters', params: undefined, body, decode: decodeCreatedCluster, ...options }),

    getCluster: onCluster('GET /clusters/{clusterUuid}', { decode: decodeCluster, notFound: none }),
    deleteCluster: onCluster('DELETE /clusters/{clusterUuid}', deleted),
    wakeCluster: onCluster('PUT /clusters/{clusterUuid}/wake', { answer: undefined }),

    listBackups: onCluster('GET /clusters/{clusterUuid}/backups', { decode: decodeBackups }),
    createBackup: onCluster('POST /clusters/{clusterUuid}/backups', { decode: decodeBackup }),
    deleteBackup: onBackup('DELETE /clusters/{clusterUuid}/backups/{backupId}', deleted),
    restoreBackup: onBackup('POST /clusters/{clusterUuid}/backups/{backupId}/restore', {
      decode: decodeRestore,
    }),
    getRestore: onBackup('GET /clusters/{clusterUuid}/backups/{backupId}/restore', {
      decode: decodeRestore,
      notFound: none,
    }),

    getBackupSchedule: onCluster('GET /clusters/{clusterUuid}/backups/schedule', {
      decode: decodeSchedule,
      notFound: none,
    }),
    putBackupSchedule: (clusterId, cron, options) =>
      request({
        route: 'PUT /clusters/{clusterUuid}/backups/schedule',
        params: { clusterUuid: clusterId },
        body: { schedule: cron },
        decode: decodeSchedule,
        ...options,
      }),
    deleteBackupSchedule: onCluster('DELETE /clusters/{clusterUuid}/backups/schedule', deleted),

    putIpAllowlist: async (clusterId, entries, options) => {
      if (entries.length === 0 && options?.allowEmpty !== true) {
        throw new RangeError(
          'refusing to send an empty ip allowlist (it opens the cluster to every address); pass allowEmpty: true',
        );
      }
      await request({
        route: 'PUT /clusters/{clusterUuid}/ipallowlist',
        params: { clusterUuid: clusterId },
        body: { ipallowlist: entries.map((entry) => ({ description: entry.description, ip: entry.ip })) },
        answer: undefined,
        signal: options?.signal,
      });
    },

    getSecrets: onCluster('GET /clusters/{clusterUuid}/secrets', {
      decode: decodeSecrets,
      sensitiveResponse: true,
    }),
    createSecret: async (clusterId, name, value, options) => {
      await request({
        route: 'POST /clusters/{clusterUuid}/secrets',
        params: { clusterUuid: clusterId },
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
    deleteSecret: (clusterId, name, options) =>
      request({
        route: 'DELETE /clusters/{clusterUuid}/secrets/{secretName}',
        params: { clusterUuid: clusterId, secretName: name },
        ...deleted,
        retryConflict: true,
        ...options,
      }),

    listApiClients: onCluster('GET /clusters/{clusterUuid}/clients', { decode: decodeApiClients }),
    createApiClient: (clusterId, body, options) =>
      request({
        route: 'POST /clusters/{clusterUuid}/clients',
        params: { clusterUuid: clusterId },
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
