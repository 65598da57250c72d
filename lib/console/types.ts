// The Console API's shapes as the client hands them out, derived from the generated spec types (never
// hand-copied), and the typing of routes, path parameters and request bodies by `METHOD /template`.
import type { components, operations, paths } from '#lib/console/openapi-types.ts';

type Schemas = components['schemas'];

/**
 * A response object as the client returns it: the fields the client checks are guaranteed, every other
 * field of the schema may be missing (the live API and the spec drift), and unknown extra fields the API
 * sends are kept on the object at run time.
 */
export type Lenient<T, K extends keyof T> = Pick<T, K> & Partial<Omit<T, K>>;

/** A cluster; `uuid`, `name` and `status.ready` are checked. */
export type Cluster = Lenient<Schemas['Cluster'], 'uuid' | 'name' | 'status'>;
/** `status.ready` values the spec lists (the API may add more; compare, don't switch exhaustively). */
export type ClusterStatus = Schemas['ClusterStatus'];
/** A backup (`BackupDto`); `uuid`, `status` and `created` (a parseable date) are checked. */
export type Backup = Lenient<Schemas['BackupDto'], 'uuid' | 'status' | 'created'>;
export type BackupStatus = Schemas['BackupStatus'];
/** The server-side backup schedule; `schedule` (5-field cron, UTC) is checked. */
export type BackupSchedule = Lenient<Schemas['BackupScheduleDto'], 'schedule'>;
/** A restore record (`RestoreDto`); `uuid`, `backupId` and `state` are checked. */
export type Restore = Lenient<Schemas['RestoreDto'], 'uuid' | 'backupId' | 'state'>;
export type RestoreState = Schemas['RestoreState'];
/** `GET /clusters/parameters`; the `channels`, `clusterPlanTypes` and `regions` arrays are checked. */
export type ClusterParameters = Schemas['Parameters'];
export type CreateClusterBody = Schemas['CreateClusterBody'];
/** `POST /clusters` answer; `clusterId` is checked. */
export type CreatedCluster = operations['CreateCluster']['responses'][200]['content']['application/json'];
export type IpAllowlistEntry = Schemas['IpAllowListBody']['ipallowlist'][number];
/** `GET /meta/ip-ranges`: Camunda's egress addresses; `web-modeler` is checked. */
export type IpRanges = Schemas['MetaDto'];
/** `GET /clusters/{uuid}/secrets`: connector secrets, name → **value** (secret material: never log it). */
export type ClusterSecrets = Record<string, string>;
/** `GET /clusters/{uuid}/clients` item: no secret (the API answers it once, on create). */
export type ApiClient = Lenient<Schemas['ClusterClient'], 'name' | 'clientId' | 'permissions'>;
export type ApiClientPermission = Schemas['ClusterClient']['permissions'][number];
export type CreateApiClientBody = Schemas['CreateClusterClientBody'];
/** `POST /clusters/{uuid}/clients` answer: the only time the client's secret is returned. */
export type CreatedApiClient = Lenient<
  Schemas['CreatedClusterClient'],
  'name' | 'clientId' | 'clientSecret' | 'permissions'
>;
/** What a DELETE did: `not-found` when the API answered 404 (already gone, or never there). */
export type DeleteOutcome = 'deleted' | 'not-found';

type Verb = 'get' | 'put' | 'post' | 'delete';

/** Every `METHOD /template` the spec defines for the verbs the client uses, e.g. `GET /clusters/{clusterUuid}`. */
export type ConsoleRoute = {
  [P in keyof paths]: {
    [M in Verb]: paths[P][M] extends undefined ? never : `${Uppercase<M>} ${P}`;
  }[Verb];
}[keyof paths];

type OperationOf<R extends ConsoleRoute> = R extends `${infer M} ${infer P}`
  ? P extends keyof paths
    ? Lowercase<M> extends keyof paths[P]
      ? paths[P][Lowercase<M>]
      : never
    : never
  : never;
/** The path parameters a route's template needs, by name (`undefined` for a route without any). */
export type PathParamsOf<R extends ConsoleRoute> =
  OperationOf<R> extends { parameters: { path: infer P } } ? P : undefined;
/** The JSON body a route takes (`undefined` for a route without one). */
export type RequestBodyOf<R extends ConsoleRoute> =
  OperationOf<R> extends {
    requestBody: { content: { 'application/json': infer B } };
  }
    ? B
    : undefined;
