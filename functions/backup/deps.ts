// What the backup job's use cases (run, check, drill) are given: the Console, the backup tracking state, a
// clock and a log; metrics where they publish fleet figures.
import type { JobDeps } from '#lib/jobs/ports.ts';

export type BackupDeps = Pick<JobDeps, 'console' | 'backupTracking' | 'clock' | 'log'> &
  Partial<Pick<JobDeps, 'metrics'>>;
