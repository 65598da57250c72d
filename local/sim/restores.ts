// Restores in the simulator: `POST /clusters/{uuid}/backups/{backupId}/restore` and `GET …/restore`.
//
// A restore runs PENDING → VALIDATING → IN_PROGRESS → COMPLETED (or FAILED) over `durationMs`, computed lazily
// from the clock like backups. While it runs the cluster is `Suspended` (the spec: "suspended automatically");
// once it ends the cluster resumes (`Resuming`, Healthy `resumeMs` later). Answers:
// 200 RestoreDto (exactly the spec's fields); 404 unknown backup; 409 a restore of this cluster is in flight,
// or the backup is not Complete; 501 when `available` is false (self-service restore not enabled for the org,
// as the real API may answer). `GET` answers the backup's latest restore, 404 when it never had one.
import { randomUUID } from 'node:crypto';
import type { components } from '#lib/console/openapi-types.ts';
import { type Answer, jsonAnswer, textAnswer } from '#local/sim/exchange.ts';
import type { SimCluster } from '#local/sim/model.ts';
import type { SimState } from '#local/sim/state.ts';

type RestoreDto = components['schemas']['RestoreDto'];
type RestoreState = components['schemas']['RestoreState'];

export const RESTORE_NOT_AVAILABLE = 'Self-service restore is not enabled for this organization';
export const RESTORE_IN_FLIGHT = 'A restore of this cluster is already in flight';

export interface SimRestore {
  uuid: string;
  clusterUuid: string;
  backupId: string;
  /** Epoch ms. */
  started: number;
  durationMs: number;
  outcome: 'COMPLETED' | 'FAILED';
}

export class SimRestores {
  /** false: every restore operation answers 501 (self-service restore not enabled). */
  available = true;
  /** How long a restore takes. */
  durationMs = 2_000;
  /** How long the cluster takes to turn Healthy again after its restore ended. */
  resumeMs = 500;
  readonly records: SimRestore[] = [];
  #failNext = new Map<string, number>();
  /** Clusters whose resume after a restore has not been started yet. */
  #resumePending = new Set<SimRestore>();

  constructor(private readonly state: SimState) {}

  /** The next `count` restores of the cluster end FAILED. */
  failNext(uuidOrName: string, count = 1): void {
    this.#failNext.set(this.state.cluster(uuidOrName).uuid, count);
  }

  stateOf(r: SimRestore): RestoreState {
    const elapsed = this.state.now() - r.started;
    if (elapsed >= r.durationMs) return r.outcome;
    if (elapsed < r.durationMs * 0.1) return 'PENDING';
    if (elapsed < r.durationMs * 0.25) return 'VALIDATING';
    return 'IN_PROGRESS';
  }

  render(r: SimRestore): RestoreDto {
    const state = this.stateOf(r);
    const dto: RestoreDto = {
      uuid: r.uuid,
      backupId: r.backupId,
      state,
      startTimestamp: new Date(r.started).toISOString(),
    };
    if (state === 'COMPLETED' || state === 'FAILED') {
      dto.completionTimestamp = new Date(r.started + r.durationMs).toISOString();
    }
    return dto;
  }

  inFlight(clusterUuid: string): SimRestore | undefined {
    return this.records.find((r) => r.clusterUuid === clusterUuid && !isFinal(this.stateOf(r)));
  }

  /** Moves clusters whose restore ended into `Resuming` (Healthy `resumeMs` later). Called on every request. */
  settle(): void {
    for (const r of [...this.#resumePending]) {
      if (!isFinal(this.stateOf(r))) continue;
      this.#resumePending.delete(r);
      const cluster = this.state.clusters.get(r.clusterUuid);
      if (!cluster) continue;
      const endedAgo = this.state.now() - (r.started + r.durationMs);
      const left = Math.max(0, this.resumeMs - endedAgo);
      this.state.setStatus(cluster.uuid, 'Resuming', { readyAfterMs: left });
    }
  }

  restore(cluster: SimCluster, backupId: string): Answer {
    if (!this.available) return textAnswer(501, RESTORE_NOT_AVAILABLE);
    const backup = (this.state.backups.get(cluster.uuid) ?? []).find((b) => b.uuid === backupId);
    if (!backup) return textAnswer(404, 'Backup not found');
    if (this.state.backupStatus(backup) !== 'Complete') {
      return textAnswer(409, 'Backup cannot be restored: it is not Complete');
    }
    if (this.inFlight(cluster.uuid)) return textAnswer(409, RESTORE_IN_FLIGHT);
    const failing = this.#failNext.get(cluster.uuid) ?? 0;
    if (failing > 0) this.#failNext.set(cluster.uuid, failing - 1);
    const record: SimRestore = {
      uuid: randomUUID(),
      clusterUuid: cluster.uuid,
      backupId,
      started: this.state.now(),
      durationMs: this.durationMs,
      outcome: failing > 0 ? 'FAILED' : 'COMPLETED',
    };
    this.records.push(record);
    this.#resumePending.add(record);
    this.state.setStatus(cluster.uuid, 'Suspended');
    return jsonAnswer(200, this.render(record));
  }

  latest(cluster: SimCluster, backupId: string): Answer {
    if (!this.available) return textAnswer(501, RESTORE_NOT_AVAILABLE);
    const found = this.records
      .filter((r) => r.clusterUuid === cluster.uuid && r.backupId === backupId)
      .at(-1);
    return found ? jsonAnswer(200, this.render(found)) : textAnswer(404, 'No restore found for this backup');
  }
}

const isFinal = (s: RestoreState) => s === 'COMPLETED' || s === 'FAILED' || s === 'ABORTED';
