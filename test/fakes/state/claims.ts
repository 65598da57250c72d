// The in-memory ClusterClaims: one owner per job and cluster while its lease, judged by the clock, lasts.
import type { ClusterClaims } from '#lib/jobs/ports.ts';
import type { JobName } from '#lib/jobs/types.ts';
import { claimKey } from '#lib/state/keys.ts';
import type { Clock, Enter } from './storage.ts';

export function memoryClusterClaims(
  clock: Clock,
  enter: Enter,
): {
  claims: ClusterClaims;
  held(job: JobName, clusterId: string): { owner: string; until: number } | undefined;
} {
  const claimsHeld = new Map<string, { owner: string; until: number }>();
  const claims: ClusterClaims = {
    async claim(job, clusterId, owner, leaseMs) {
      enter('claims.claim');
      const { pk } = claimKey('claims.claim', job, clusterId);
      const now = clock.now();
      const held = claimsHeld.get(pk);
      if (held && held.owner !== owner && held.until > now) return false;
      claimsHeld.set(pk, { owner, until: now + leaseMs });
      return true;
    },
    async release(job, clusterId, owner) {
      enter('claims.release');
      const { pk } = claimKey('claims.release', job, clusterId);
      if (claimsHeld.get(pk)?.owner === owner) claimsHeld.delete(pk);
    },
  };

  return {
    claims,
    held(job, clusterId) {
      const held = claimsHeld.get(claimKey('claims.claim', job, clusterId).pk);
      return held ? { ...held } : undefined;
    },
  };
}
