// Backup job: scheduled (EventBridge Scheduler), on request (EventBridge event `backup.<action>`), or by
// signed webhook (POST /webhooks/backup/<action>). Actions: `run` (run-backup.ts), `check` (the readiness
// check against the recovery-point targets, run-check.ts) and `drill` (a restore drill, run-drill.ts).
import { type ActionDefinition, jobHandler } from '#lib/runtime/job-handler.ts';
import { runBackup } from './run-backup.ts';
import { runCheck } from './run-check.ts';
import { runDrill } from './run-drill.ts';

/** The backup job's actions (the handler checks `backup.enabled`). */
export const backupActions: Record<string, ActionDefinition> = {
  run: { run: (c, scope) => runBackup(c, scope, c.config.backup) },
  check: { run: (c, scope) => runCheck(c, scope, c.config.backup, c.config.concurrency) },
  drill: { run: (c, scope) => runDrill(c, scope, c.config.backup) },
};

export const handler = jobHandler('backup', backupActions);
