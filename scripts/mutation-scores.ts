// Mutation scores of the safety modules: `docs/mutation-scores.json` is the committed record (one entry per
// file, from the last `npm run test:mutation` over it), and the "Mutation testing" section of
// docs/RELIABILITY.md is rendered from it — by `npm run reliability` and by this script — so a regeneration
// of the document never loses a score that took tens of minutes to measure.
//
//   npm run test:mutation -- --mutate lib/allowlist/breadth.ts --concurrency 1
//   npx tsx scripts/mutation-scores.ts --command "<the command above>"
//
// folds StrykerJS's JSON report (reports/mutation/mutation.json) into the record, file by file, and rewrites
// the section; `--render` only rewrites the section (after editing the record's notes).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export const SCORES_FILE = 'docs/mutation-scores.json';
export const REPORT_FILE = 'reports/mutation/mutation.json';
export const MUTATION_HEADING = '## Mutation testing';

export interface ModuleScore {
  file: string;
  mutants: number;
  killed: number;
  timedOut: number;
  survived: number;
  noCoverage: number;
  /** Mutants marked equivalent in the source (`// Stryker disable … : <reason>`): Stryker reports them Ignored. */
  equivalentMarked: number;
  /** Static mutants (evaluated once, at module load), not run with `ignoreStatic`: Ignored too, not equivalent. */
  staticIgnored: number;
  /** Killed + timed out over every mutant that is not marked equivalent, in per cent, one decimal. */
  score: number;
  /** YYYY-MM-DD. */
  date: string;
  command: string;
  /** Why the survivors survive, when some do. */
  notes?: string;
}

export interface MutationScores {
  goal: number;
  modules: ModuleScore[];
}

/** The part of StrykerJS's JSON report (mutation-testing-report-schema) read here. */
interface StrykerReport {
  files: Record<string, { mutants: Array<{ status: string; statusReason?: string }> }>;
}

/** One score per mutated file of a StrykerJS report. */
export function scoresFromReport(
  report: StrykerReport,
  run: { date: string; command: string },
): ModuleScore[] {
  return Object.entries(report.files)
    .map(([file, { mutants }]) => {
      const count = (status: string) => mutants.filter((m) => m.status === status).length;
      const killed = count('Killed');
      const timedOut = count('Timeout');
      const survived = count('Survived');
      const noCoverage = count('NoCoverage');
      const staticIgnored = mutants.filter(
        (m) => m.status === 'Ignored' && (m.statusReason ?? '').startsWith('Static mutant'),
      ).length;
      const valid = killed + timedOut + survived + noCoverage;
      return {
        file: file.replaceAll('\\', '/'),
        mutants: mutants.length,
        killed,
        timedOut,
        survived,
        noCoverage,
        equivalentMarked: count('Ignored') - staticIgnored,
        staticIgnored,
        score: valid === 0 ? 100 : Math.round(((killed + timedOut) / valid) * 1000) / 10,
        ...run,
      };
    })
    .sort((a, b) => a.file.localeCompare(b.file));
}

/** The record with `fresh` replacing the entries of the same files (their notes kept unless given anew). */
export function mergeScores(existing: MutationScores, fresh: readonly ModuleScore[]): MutationScores {
  const byFile = new Map(existing.modules.map((m) => [m.file, m]));
  for (const m of fresh) {
    const notes = m.notes ?? byFile.get(m.file)?.notes;
    byFile.set(m.file, notes === undefined ? m : { ...m, notes });
  }
  return { ...existing, modules: [...byFile.values()].sort((a, b) => a.file.localeCompare(b.file)) };
}

export function readScores(path = SCORES_FILE): MutationScores {
  if (!existsSync(path)) return { goal: 90, modules: [] };
  return JSON.parse(readFileSync(path, 'utf8')) as MutationScores;
}

/** The "Mutation testing" section of docs/RELIABILITY.md (ends with a blank line). */
export function renderMutationSection(scores: MutationScores): string {
  const rows = scores.modules.map(
    (m) =>
      `| \`${m.file}\` | ${m.score.toFixed(1)} %${m.score < scores.goal ? ' (below goal)' : ''} | ${m.mutants} | ${m.killed} | ${m.timedOut} | ${m.survived} | ${m.noCoverage} | ${m.equivalentMarked} | ${m.staticIgnored ?? 0} | ${m.date} |`,
  );
  const commands = scores.modules.map((m) => `- \`${m.file}\`: \`${m.command}\``);
  const notes = scores.modules.filter((m) => m.notes).map((m) => `- \`${m.file}\`: ${m.notes}`);
  return `${MUTATION_HEADING}

\`npm run test:mutation\` (StrykerJS 9 with its vitest runner, \`stryker.config.json\`, tests in
\`vitest.mutation.config.ts\` with \`FC_RUNS=150 FC_SEED=20261201\` so a mutant's fate does not depend on a seed;
not part of \`npm test\`: tens of minutes). Scope: \`lib/allowlist/**\`, \`lib/config/selector.ts\`,
\`functions/teardown/plan.ts\`, \`lib/token/**\` (the provider and the modules it decides with). Goal: ≥ ${scores.goal} % on each. Score = (killed + timed
out) / (mutants − marked equivalent − static). Static mutants (constants evaluated once at module load, such as
the translation-prefix table) are not run (\`ignoreStatic\`). A mutant is marked equivalent in the source
(\`// Stryker disable next-line <mutator>: <reason>\`) only when no input can tell it from the original.
Measured one module at a time on AMD EPYC, 2 cores, Node 20, shared with other work; the figures are kept in
\`${SCORES_FILE}\` (\`npx tsx scripts/mutation-scores.ts --command "…"\` folds a run's report into it).

| module | score | mutants | killed | timed out | survived | no coverage | marked equivalent | static | date |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
${rows.join('\n')}

Commands:

${commands.join('\n')}
${notes.length > 0 ? `\nSurvivors:\n\n${notes.join('\n')}\n` : ''}
`;
}

/** `doc` with its mutation section replaced by `section` (appended when it has none). */
export function replaceMutationSection(doc: string, section: string): string {
  const start = doc.indexOf(MUTATION_HEADING);
  if (start < 0) return `${doc.trimEnd()}\n\n${section}`;
  const next = doc.indexOf('\n## ', start + MUTATION_HEADING.length);
  return `${doc.slice(0, start)}${section}${next < 0 ? '' : doc.slice(next + 1)}`;
}

function main(argv: string[]): void {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i < 0 ? undefined : argv[i + 1];
  };
  const doc = 'docs/RELIABILITY.md';
  if (argv.includes('--render')) {
    // Only re-render the section from the record (after editing its notes by hand).
    writeFileSync(
      doc,
      replaceMutationSection(readFileSync(doc, 'utf8'), renderMutationSection(readScores())),
    );
    return;
  }
  const command = arg('--command');
  if (!command) {
    console.error(
      'usage: tsx scripts/mutation-scores.ts --command "<the stryker command run>" [--report <json>]',
    );
    process.exit(2);
  }
  const report = JSON.parse(readFileSync(arg('--report') ?? REPORT_FILE, 'utf8')) as StrykerReport;
  const fresh = scoresFromReport(report, { date: new Date().toISOString().slice(0, 10), command });
  const scores = mergeScores(readScores(), fresh);
  writeFileSync(SCORES_FILE, `${JSON.stringify(scores, null, 2)}\n`);
  writeFileSync(doc, replaceMutationSection(readFileSync(doc, 'utf8'), renderMutationSection(scores)));
  for (const m of fresh) console.log(`${m.file}: ${m.score} % (${m.survived} survived)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
