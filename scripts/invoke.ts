// `npm run invoke -- <job> [action] [options]`: one job's real handler, in-process. See `--help`.
import { applyLocalProcessDefaults, EXIT_USAGE, UsageError } from './lib/cli.ts';
import { INVOKE_USAGE, type InvokeArgs, parseInvokeArgs } from './lib/invoke-args.ts';

async function main(argv: string[]): Promise<number> {
  let args: InvokeArgs | { help: true };
  try {
    args = parseInvokeArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`invoke: ${err.message}\nRun \`npm run invoke -- --help\` for the usage.\n`);
    return EXIT_USAGE;
  }
  if ('help' in args) {
    process.stdout.write(`${INVOKE_USAGE}\n`);
    return 0;
  }
  // Before the handlers (Powertools, the AWS SDK) are loaded.
  applyLocalProcessDefaults();
  const { runInvoke } = await import('./lib/invoke-run.ts');
  return runInvoke(args, { env: process.env, stdout: process.stdout, stderr: process.stderr });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`invoke failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
