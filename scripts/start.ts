// `npm start`: one night of the automation, locally, with no AWS or Camunda account. See `--help`.

import {
  applyLocalProcessDefaults,
  captureConsole,
  colourWanted,
  EXIT_USAGE,
  intOption,
  parseCommandLine,
  UsageError,
} from './lib/cli.ts';
import type { DemoOptions } from './lib/demo.ts';
import { DEMO_FAULTS, isDemoFault } from './lib/demo-faults.ts';

const FAULT_HELP = Object.entries(DEMO_FAULTS).map(([name, f]) => `${name.padEnd(12)}  ${f.help}`);

const USAGE = `Usage: npm start -- [options]

Plays one night of the automation against a local Console API + OAuth simulator and an embedded
DynamoDB, through the real Lambda handlers with real event shapes: scheduled backups, an allowlist
source replaced by signed webhook and synced, the teardown notice, a keep-alive, the nightly teardown,
the morning recreate, then 8 cold containers sharing one token. Needs no AWS or Camunda account.

Options:
  --seed <org|N>      the simulator's org: 'org' (a dozen clusters across dev/test/stage/prod, default)
                      or N (a generated org of N clusters)
  --latency <ms>      added to every Console API answer (default 0)
  --faults <list>     comma-separated simulator faults, to watch the retries:
                        ${FAULT_HELP.join('\n                        ')}
  --json              print the report as JSON (machine-readable)
  --quiet             print only the verdict
  --verbose           also print what the handlers logged
  -h, --help          show this help

Exit code: 0 when every step went as the story expects, 1 when one did not (the report says which),
2 for a bad option.`;

interface StartArgs {
  help: boolean;
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  demo: DemoOptions;
}

function parseStartArgs(argv: string[]): StartArgs {
  const { values } = parseCommandLine(
    argv,
    {
      seed: { type: 'string' },
      latency: { type: 'string' },
      faults: { type: 'string' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    false,
  );
  const seedText = values.seed?.trim();
  const seed = seedText === undefined || seedText === 'org' ? 'org' : intOption('--seed', seedText, 1, 2000);
  const faults = (values.faults ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const unknown = faults.filter((f) => !isDemoFault(f));
  if (unknown.length > 0) {
    throw new UsageError(
      `unknown fault ${unknown.join(', ')} (known: ${Object.keys(DEMO_FAULTS).join(', ')})`,
    );
  }
  if (values.json && values.quiet) throw new UsageError('--json and --quiet exclude each other');
  return {
    help: values.help === true,
    json: values.json === true,
    quiet: values.quiet === true,
    verbose: values.verbose === true,
    demo: {
      seed: seed ?? 'org',
      latencyMs: intOption('--latency', values.latency, 0, 10_000) ?? 0,
      faults: faults.filter(isDemoFault),
    },
  };
}

async function main(argv: string[]): Promise<number> {
  let args: StartArgs;
  try {
    args = parseStartArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`npm start: ${err.message}\nRun \`npm start -- --help\` for the options.\n`);
    return EXIT_USAGE;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // Before the handlers (Powertools, the AWS SDK) are loaded.
  applyLocalProcessDefaults();
  const { formatReport, runDemo, verdict } = await import('./lib/demo.ts');
  const colour = colourWanted(process.stdout);
  if (!args.json && !args.quiet) process.stdout.write('playing one night of the automation locally…\n');
  const captured = captureConsole();
  let report: Awaited<ReturnType<typeof runDemo>>;
  try {
    report = await runDemo(args.demo);
  } finally {
    captured.restore();
  }
  if (args.json) {
    const { logs, ...rest } = report;
    process.stdout.write(
      `${JSON.stringify(args.verbose ? report : { ...rest, logLines: logs.length }, null, 2)}\n`,
    );
  } else if (args.quiet) {
    process.stdout.write(`${verdict(report)}\n`);
  } else {
    process.stdout.write(`${formatReport(report, { colour, verbose: args.verbose })}\n`);
    if (args.verbose && captured.lines.length > 0) {
      process.stdout.write(`\nlibrary console output (${captured.lines.length} lines)\n`);
      for (const line of captured.lines) process.stdout.write(`   ${line}\n`);
    }
  }
  if (!report.ok && args.json) process.stderr.write(`${verdict(report)}\n`);
  return report.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `npm start failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  },
);
