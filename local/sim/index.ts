// The Camunda Console API + OAuth simulator. See local/sim/README.md for behaviour and design choices.

export { type ManualClock, manualClock } from '#local/sim/clock.ts';
export { IMPLEMENTED } from '#local/sim/console-api.ts';
export { BACKUP_ONCE_PER_HOUR, MAX_CLUSTER_NAME, MAX_DESCRIPTION } from '#local/sim/console-writes.ts';
export { FaultRegistry } from '#local/sim/faults.ts';
export { decodeJwt } from '#local/sim/jwt.ts';
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
  uniformStatus,
} from '#local/sim/model.ts';
export { ORG_CLUSTERS, seedOrg } from '#local/sim/seed.ts';
export { catalog, GENERATIONS, simUuid } from '#local/sim/seed-catalog.ts';
export { generateOrg } from '#local/sim/seed-generated.ts';
export {
  DEFAULT_AUDIENCE,
  DEFAULT_CLIENT,
  type RunningSimulator,
  startSimulator,
} from '#local/sim/server.ts';
export { SimState } from '#local/sim/state.ts';
export type * from '#local/sim/types.ts';
export { checkCron, checkIpList } from '#local/sim/validation.ts';
