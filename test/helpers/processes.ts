import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node …args` with exactly `env`; resolves when it exits (killed after `timeoutMs`). */
export function runProcess(
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number },
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs `node file` with extra env; resolves when it exits. */
export function runNode(
  file: string,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<ProcessResult> {
  return runProcess([file], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    timeoutMs,
  });
}

/** The repository's root: where `npm start`, `npm run invoke` and friends run their scripts from. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Asserts a `--help` run: exit 0, and every one of `texts` (options, kinds) in the usage it printed. */
export function expectUsage(run: ProcessResult, texts: string[]): void {
  expect(run.code).toBe(0);
  for (const text of texts) expect(run.stdout).toContain(text);
}
