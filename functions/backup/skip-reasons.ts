// Console answers that mean "nothing to do for this cluster" rather than a failure, shared by every backup action.
import { ConsoleApiError } from '#lib/console/errors.ts';

/**
 * A Console answer that means "nothing to do here" rather than a failure: 403 (not an Enterprise plan, or
 * the API client lacks the Backups scope), 404 (the cluster is gone), and on create the once-an-hour rule.
 */
export function skipReason(err: unknown, what: 'list' | 'create' | 'schedule'): string | undefined {
  if (!(err instanceof ConsoleApiError)) return undefined;
  const said = err.bodyExcerpt ? `: ${err.bodyExcerpt}` : '';
  if (err.status === 403) {
    return `backups not permitted (403${said}); needs an Enterprise plan and an API client with the Backups scope`;
  }
  if (err.status === 404 && what !== 'schedule') return `cluster no longer exists (404${said})`;
  if (err.status === 400 && what === 'create' && HOURLY_LIMIT.test(err.bodyExcerpt)) {
    return `backup limit reached (400${said})`;
  }
  return undefined;
}

const HOURLY_LIMIT = /\bhour|at most once|too (?:many|often|frequent)|rate.?limit/i;
