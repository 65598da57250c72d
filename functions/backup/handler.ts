// Backup job: scheduled (EventBridge Scheduler), on request (EventBridge event `backup.run`), or by
// signed webhook (POST /webhooks/backup/run). The logic lives in run-backup.ts.
import { jobHandler } from '#lib/runtime/job-handler.ts';
import { runBackup } from './run-backup.ts';

export const handler = jobHandler('backup', {
  run: { run: (c, scope) => runBackup(c, scope, c.config.backup) },
});
