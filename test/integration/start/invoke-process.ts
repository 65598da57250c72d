// `npm run invoke` as its tests run it: the script as a child process (stdout piped, so it prints JSON), with
// the variables that would switch it to real Camunda or another DynamoDB removed, and readers for its JSON.
import type { RunSummary } from '#lib/jobs/types.ts';
import { type ProcessResult, REPO_ROOT, runProcess } from '#test/helpers/processes.ts';

export interface InvokeJson {
  job: string;
  action: string;
  trigger: string;
  console: 'simulator' | 'camunda';
  dynamodb: 'embedded' | 'endpoint' | 'aws';
  forcedDryRun: boolean;
  notes: string[];
  result: 'summary' | 'rejected' | 'ignored' | 'error';
  summary?: RunSummary;
  httpStatus?: number;
  message?: string;
  events: string[];
  exitCode: number;
}

/** The variables that would switch the script to real Camunda or another DynamoDB, removed. */
const BACKEND_ENV = [
  'CAMUNDA_CONSOLE_CLIENT_ID',
  'CAMUNDA_CONSOLE_CLIENT_SECRET',
  'CAMUNDA_CONSOLE_BASE_URL',
  'CAMUNDA_OAUTH_URL',
  'CAMUNDA_CONSOLE_OAUTH_AUDIENCE',
  'CAMUNDA_CONSOLE_CREDENTIALS_SECRET',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'STATE_TABLE_NAME',
  'WEBHOOK_SECRETS',
  'WEBHOOK_SENDER_SECRETS',
];

export function invoke(args: string[], extraEnv: Record<string, string> = {}): Promise<ProcessResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of BACKEND_ENV) delete env[k];
  Object.assign(env, extraEnv);
  return runProcess(['--import', 'tsx', 'scripts/invoke.ts', ...args], { cwd: REPO_ROOT, env });
}

export function parsed(run: ProcessResult): InvokeJson {
  try {
    return JSON.parse(run.stdout) as InvokeJson;
  } catch {
    throw new Error(`not JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}

export function summaryOf(out: InvokeJson): RunSummary {
  if (!out.summary) throw new Error(`no summary: ${JSON.stringify(out)}`);
  return out.summary;
}

/** A keep-alive payload for dev-payments, six hours from now. */
export const KEEP_DEV_PAYMENTS = () =>
  JSON.stringify({
    cluster: 'dev-payments',
    until: new Date(Date.now() + 6 * 3_600_000).toISOString(),
    by: 'alice@example.com',
    reason: 'load test',
  });
