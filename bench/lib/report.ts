import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
// The pure parts of the benchmarks: percentiles, markdown tables and replacing one benchmark's own
// section of docs/BENCHMARKS.md without touching the others.

/** What docs/BENCHMARKS.md starts with when a benchmark creates it. */
export const BENCHMARKS_INTRO = `# Benchmarks

Figures measured by the scripts in \`bench/\`. Each script rewrites only its own section (between its
\`<!-- bench:<name>:start -->\` / \`<!-- bench:<name>:end -->\` markers) with the figures of its last run,
the machine it ran on and the exact command, so a section can be re-run and compared on its own.
`;

/**
 * Nearest-rank percentile: the smallest sample such that at least `p` % of the samples are ≤ it.
 * `p` = 0 gives the minimum, 100 the maximum. Always one of the samples, never an interpolation.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('percentile of no samples');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is not within 0–100`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export interface Summary {
  count: number;
  min: number;
  p50: number;
  p95: number;
  max: number;
}

/** Count, min, p50, p95 and max of the samples; undefined when there are none. */
export function summarize(values: readonly number[]): Summary | undefined {
  if (values.length === 0) return undefined;
  return {
    count: values.length,
    min: percentile(values, 0),
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    max: percentile(values, 100),
  };
}

/** A GitHub markdown table; `|` inside a cell is escaped. */
export function markdownTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const cell = (s: string) => s.replaceAll('|', '\\|');
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

export function sectionMarkers(name: string): { start: string; end: string } {
  return { start: `<!-- bench:${name}:start -->`, end: `<!-- bench:${name}:end -->` };
}

export class SectionMarkerError extends Error {
  override readonly name = 'SectionMarkerError';
}

/**
 * Puts `body` between the section's markers, replacing what was there; appends the section (markers
 * included) at the end when the document has none. Text outside the markers is kept byte for byte.
 * Throws when the markers are unpaired, repeated or out of order rather than guess and damage the file.
 */
export function replaceSection(document: string, name: string, body: string): string {
  const { start, end } = sectionMarkers(name);
  const starts = occurrences(document, start);
  const ends = occurrences(document, end);
  const block = `${start}\n${body.trim()}\n${end}`;
  if (starts.length === 0 && ends.length === 0) {
    const head = document.trimEnd();
    return head === '' ? `${block}\n` : `${head}\n\n${block}\n`;
  }
  const [s] = starts;
  const [e] = ends;
  if (starts.length !== 1 || ends.length !== 1 || s === undefined || e === undefined || e < s) {
    throw new SectionMarkerError(
      `docs section '${name}': expected one '${start}' followed by one '${end}', found ${starts.length} and ${ends.length}${e !== undefined && s !== undefined && e < s ? ' in the wrong order' : ''}`,
    );
  }
  return document.slice(0, s) + block + document.slice(e + end.length);
}

function occurrences(text: string, needle: string): number[] {
  const found: number[] = [];
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) found.push(i);
  return found;
}

/** Milliseconds with a precision that suits their size: 0.042 ms, 3.71 ms, 48.2 ms, 1250 ms. */
export function formatMs(ms: number): string {
  if (ms < 1) return `${ms.toFixed(3)} ms`;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms)} ms`;
}

/** Microseconds, for in-process calls: 0.21 µs, 3.4 µs, 120 µs; from 1 ms on, as `formatMs`. */
export function formatUs(ms: number): string {
  const us = ms * 1000;
  if (us < 1) return `${us.toFixed(2)} µs`;
  if (us < 100) return `${us.toFixed(1)} µs`;
  if (us < 1000) return `${Math.round(us)} µs`;
  return formatMs(ms);
}

/**
 * Replaces the `name` section of the markdown file at `path` (creating the file with the intro if it is
 * missing), leaving every other section as it is.
 */
export async function writeSection(path: string, name: string, body: string): Promise<void> {
  const existing = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return BENCHMARKS_INTRO;
    throw err;
  });
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, replaceSection(existing, name, body));
}
