// What the local entry points (`npm start`, `npm run invoke`) share: argument errors, the process
// settings that keep library noise off the terminal, console capture, and plain-text tables.
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** A bad command line: the script prints the message and its usage, and exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const EXIT_USAGE = 2;

type Options = NonNullable<ParseArgsConfig['options']>;

/** `util.parseArgs` in strict mode, its errors turned into a UsageError with a readable message. */
export function parseCommandLine<O extends Options>(argv: string[], options: O, allowPositionals: boolean) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new UsageError(message.replace(/^Unknown option '(.+?)'.*$/s, 'unknown option $1'));
  }
}

/** A whole number within bounds, or a UsageError naming the option. */
export function intOption(
  name: string,
  value: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}, got '${value}'`);
  }
  return n;
}

/**
 * Process settings for a local run, set before the handlers (and Powertools, the AWS SDK) are loaded:
 * no EMF metrics on stdout, Powertools writing through the global console (so it can be captured),
 * no AWS SDK Node version warning. A value the user set wins.
 */
export function applyLocalProcessDefaults(env: NodeJS.ProcessEnv = process.env): void {
  env.POWERTOOLS_DEV ??= 'true';
  env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

export interface CapturedConsole {
  lines: string[];
  restore(): void;
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;

/** Routes the global console into `lines` (library chatter such as Powertools warnings) until `restore()`. */
export function captureConsole(): CapturedConsole {
  const lines: string[] = [];
  const saved = CONSOLE_METHODS.map((m) => [m, console[m]] as const);
  for (const m of CONSOLE_METHODS) {
    console[m] = (...args: unknown[]) => {
      lines.push(
        `[console.${m}] ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`,
      );
    };
  }
  return {
    lines,
    restore() {
      for (const [m, fn] of saved) console[m] = fn;
    },
  };
}

export interface Paint {
  ok(text: string): string;
  bad(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
  status(status: string, text?: string): string;
}

const wrap = (on: boolean, code: number, reset: number) => (text: string) =>
  on ? `\u001b[${code}m${text}\u001b[${reset}m` : text;

/** ANSI colours when `on` (a terminal without NO_COLOR), plain text otherwise. */
export function paint(on: boolean): Paint {
  const green = wrap(on, 32, 39);
  const red = wrap(on, 31, 39);
  const yellow = wrap(on, 33, 39);
  const dim = wrap(on, 2, 22);
  return {
    ok: green,
    bad: red,
    dim,
    bold: wrap(on, 1, 22),
    status(status, text = status) {
      if (status === 'done') return green(text);
      if (status === 'failed') return red(text);
      if (status === 'deferred') return yellow(text);
      return dim(text);
    },
  };
}

export function colourWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb';
}

export interface OutcomeRow {
  cluster: string;
  status: 'done' | 'skipped' | 'failed' | 'deferred';
  /** The action done, or the reason for any other status. */
  what: string;
}

/** One summary's outcomes as rows: what was done, or why not. */
export function outcomeRows(
  clusters: ReadonlyArray<
    | { clusterName: string; status: 'done'; action: string }
    | { clusterName: string; status: 'skipped' | 'deferred'; reason: string }
    | { clusterName: string; status: 'failed'; error: string }
  >,
): OutcomeRow[] {
  return clusters.map((c) => ({
    cluster: c.clusterName,
    status: c.status,
    what: c.status === 'done' ? c.action : c.status === 'failed' ? c.error : c.reason,
  }));
}

/**
 * Rows as an indented table (cluster / outcome / action or reason), at most `maxRows` of them; the
 * rest are summarised in one line.
 */
export function outcomeTable(rows: readonly OutcomeRow[], p: Paint, indent = '   ', maxRows = 40): string[] {
  if (rows.length === 0) return [`${indent}${p.dim('(no cluster)')}`];
  const shown = rows.slice(0, maxRows);
  const width = Math.min(40, Math.max('cluster'.length, ...shown.map((r) => r.cluster.length)));
  const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
  const lines = [p.dim(`${indent}${pad('cluster', width)}  ${pad('outcome', 8)}  action / reason`)];
  for (const r of shown) {
    lines.push(`${indent}${pad(r.cluster, width)}  ${p.status(r.status, pad(r.status, 8))}  ${r.what}`);
  }
  const rest = rows.slice(maxRows);
  if (rest.length > 0) {
    const counts = new Map<string, number>();
    for (const r of rest) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
    const text = [...counts].map(([s, n]) => `${n} ${s}`).join(', ');
    lines.push(p.dim(`${indent}… and ${rest.length} more (${text})`));
  }
  return lines;
}
