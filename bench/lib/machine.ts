// The machine a benchmark ran on and the command that ran it, for the header of its section.
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import type { MachineInfo } from './token-report.ts';

export function machineInfo(): MachineInfo {
  const all = cpus();
  let os = `${process.platform} ${release()}`;
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
    if (pretty) os = `${pretty} (${process.platform} ${release()}, ${process.arch})`;
  } catch {
    // not Linux: keep the platform and kernel release
  }
  return {
    cpu: all[0]?.model.trim() ?? 'unknown CPU',
    cores: all.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os,
    node: process.version,
  };
}

/** The command as the user typed it, as near as can be told: the npm script when run through one. */
export function benchCommand(script: string, file: string, args: readonly string[]): string {
  const event = process.env.npm_lifecycle_event;
  const tail = args.length > 0 ? ` ${args.join(' ')}` : '';
  if (event === script || event === 'bench') return `npm run ${event}${tail ? ` --${tail}` : ''}`;
  return `npx tsx ${file}${tail}`;
}

/** ISO timestamp without milliseconds. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** The 1-minute load average now (0 where the platform has none). */
export function loadAverage(): number {
  return loadavg()[0] ?? 0;
}

/** The load the machine was under, said plainly when it exceeded its cores (timings then include waiting for a CPU). */
export function loadText(load: { start: number; end: number }, cores: number): string {
  const text = `load average ${load.start.toFixed(1)} at the start, ${load.end.toFixed(1)} at the end`;
  return Math.max(load.start, load.end) > cores
    ? `${text} on ${cores} cores: other work competed for the CPU, so times are inflated`
    : text;
}

/**
 * The opening every benchmark section shares: its title, the machine, date, duration and load of the run,
 * and the exact command in a code block.
 */
export function sectionOpening(
  title: string,
  run: { date: string; machine: MachineInfo; durationMs: number; command: string },
  load: { start: number; end: number },
): string[] {
  const m = run.machine;
  return [
    `## ${title}`,
    '',
    `Run ${run.date} on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}; ` +
      `took ${Math.round(run.durationMs / 1000)} s; ${loadText(load, m.cores)}.`,
    '',
    '```sh',
    run.command,
    '```',
    '',
  ];
}
