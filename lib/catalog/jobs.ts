// The jobs this automation offers and the actions each accepts. A leaf: the config (schedules and webhook
// routes per action), the jobs, the triggers, the state keys and the CDK stack all name them, so they sit
// below every one of those layers.

export const JOBS = ['backup', 'teardown', 'allowlist-sync', 'secrets-sync'] as const;
export type JobName = (typeof JOBS)[number];

/** The actions each job accepts. One EventBridge `detail-type` and one webhook route per job and action. */
export const JOB_ACTIONS = {
  backup: ['run', 'check', 'drill'],
  teardown: ['notice', 'run', 'recreate', 'keep-alive'],
  'allowlist-sync': ['sync', 'set-source'],
  'secrets-sync': ['sync'],
} as const satisfies Record<JobName, readonly string[]>;

export type JobAction<J extends JobName = JobName> = (typeof JOB_ACTIONS)[J][number];

export function isJobName(value: unknown): value is JobName {
  return typeof value === 'string' && (JOBS as readonly string[]).includes(value);
}

export function isJobAction(job: JobName, action: unknown): boolean {
  return typeof action === 'string' && (JOB_ACTIONS[job] as readonly string[]).includes(action);
}
