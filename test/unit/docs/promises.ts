// The README's safety promises name the tests that back them ("`file.test.ts` › "name…""). These helpers
// read those citations and find each named file and test, so that a test renamed or moved without the README
// fails here instead of leaving a promise backed by nothing.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Citation {
  /** The promise, as the row's first cell says it. */
  readonly promise: string;
  /** The test file as the README writes it (a path suffix under test/, or "the state contract"). */
  readonly file: string;
  /** The quoted test names; `…` marks text left out of the citation. */
  readonly names: readonly string[];
}

const STATE_CONTRACT = 'the state contract';

/** Rows of every table whose header is `| promise | test |`. */
export function citationsOf(markdown: string): Citation[] {
  const citations: Citation[] = [];
  let inTable = false;
  for (const line of markdown.split('\n')) {
    if (/^\|\s*promise\s*\|\s*test\s*\|/.test(line)) {
      inTable = true;
      continue;
    }
    if (!line.startsWith('|')) {
      inTable = false;
      continue;
    }
    if (!inTable || /^\|\s*-/.test(line)) continue;
    const cells = line.split(/(?<!\\)\|/).slice(1, -1);
    const [promise = '', tests = ''] = cells.map((cell) => cell.trim());
    for (const segment of tests.split(';')) {
      const file =
        /`([^`]+\.test\.ts)`/.exec(segment)?.[1] ??
        (segment.includes(STATE_CONTRACT) ? STATE_CONTRACT : undefined);
      if (file === undefined) continue;
      const names = [...segment.matchAll(/"([^"]+)"|\*([^*]+)\*/g)].map(
        (match) => match[1] ?? match[2] ?? '',
      );
      citations.push({ promise, file, names });
    }
  }
  return citations;
}

/** Every TypeScript file below `dir`, as paths relative to it. */
export function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((path) => path.endsWith('.ts'));
}

/** The test files (relative to test/) that a citation's file may mean: those ending with its path. */
export function candidatesFor(file: string, testFiles: readonly string[]): string[] {
  if (file === STATE_CONTRACT) return testFiles.filter((path) => path.startsWith('helpers/state-contract'));
  return testFiles.filter((path) => path === file || path.endsWith(`/${file}`));
}

/** The pieces of a cited name that must stand in the test source: the text between the `…` marks. */
export function piecesOf(name: string): string[] {
  return name
    .split('…')
    .map((piece) => piece.trim())
    .filter((piece) => piece.length > 0);
}

/** What is wrong with one citation, or nothing. */
export function problemsOf(citation: Citation, testDir: string, testFiles: readonly string[]): string[] {
  const candidates = candidatesFor(citation.file, testFiles);
  if (candidates.length === 0)
    return [`${citation.file}: no such test file (cited for "${citation.promise}")`];
  const sources = candidates.map((path) => readFileSync(join(testDir, path), 'utf8'));
  return citation.names.flatMap((name) =>
    piecesOf(name)
      .filter((piece) => !sources.some((source) => source.includes(piece)))
      .map((piece) => `${citation.file}: no test named with "${piece}" (cited for "${citation.promise}")`),
  );
}
