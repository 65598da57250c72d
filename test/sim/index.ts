// The Camunda Console API + OAuth simulator. See test/sim/README.md for behaviour and design choices.

export { type ManualClock, manualClock } from '#test/sim/clock.ts';
export {
  BACKUP_ONCE_PER_HOUR,
  IMPLEMENTED,
  MAX_CLUSTER_NAME,
  MAX_DESCRIPTION,
} from '#test/sim/console-api.ts';
export { FaultRegistry } from '#test/sim/faults.ts';
export { decodeJwt } from '#test/sim/jwt.ts';
export { catalog, GENERATIONS, generateOrg, ORG_CLUSTERS, seedOrg, simUuid } from '#test/sim/seed.ts';
export { DEFAULT_AUDIENCE, DEFAULT_CLIENT, type RunningSimulator, startSimulator } from '#test/sim/server.ts';
export {
  type BackupInit,
  type ClusterInit,
  KEEP_COMPLETED_BACKUPS,
  MIN_BACKUP_GENERATION,
  type SeedData,
  type SimBackup,
  type SimCatalog,
  type SimCluster,
  type SimPlanType,
  SimState,
  uniformStatus,
} from '#test/sim/state.ts';
export type * from '#test/sim/types.ts';
export { checkCron, checkIpList } from '#test/sim/validation.ts';
