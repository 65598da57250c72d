// The mutation-score record: a StrykerJS report folded into docs/mutation-scores.json, and the RELIABILITY.md
// section rendered from it (what `npm run reliability` writes, so a regeneration keeps every measured score).
import { describe, expect, it } from 'vitest';
import {
  type ModuleScore,
  MUTATION_HEADING,
  mergeScores,
  renderMutationSection,
  replaceMutationSection,
  scoresFromReport,
} from '../../../scripts/mutation-scores.ts';

const RUN = { date: '2026-12-02', command: 'npm run test:mutation -- --mutate lib/x.ts --concurrency 1' };
const mutants = (counts: Record<string, number>) =>
  Object.entries(counts).flatMap(([status, n]) => Array.from({ length: n }, () => ({ status })));

describe('scoresFromReport', () => {
  it('counts each status per file, tells marked-equivalent from static mutants, and leaves both out of the score', () => {
    // Act
    const [score] = scoresFromReport(
      {
        files: {
          'lib/x.ts': {
            mutants: [
              ...mutants({ Killed: 85, Timeout: 2, Survived: 3, NoCoverage: 1, Ignored: 3 }),
              { status: 'Ignored', statusReason: 'Static mutant (and "ignoreStatic" was enabled)' },
            ],
          },
        },
      },
      RUN,
    );
    // Assess: 87 detected of 91 valid
    expect(score).toEqual({
      file: 'lib/x.ts',
      mutants: 95,
      killed: 85,
      timedOut: 2,
      survived: 3,
      noCoverage: 1,
      equivalentMarked: 3,
      staticIgnored: 1,
      score: 95.6,
      ...RUN,
    });
  });
});

describe('mergeScores', () => {
  it('replaces the entries of the files measured again and keeps the others and their notes', () => {
    // Prepare
    const old = (file: string, score: number, notes?: string): ModuleScore => ({
      file,
      mutants: 10,
      killed: score / 10,
      timedOut: 0,
      survived: 10 - score / 10,
      noCoverage: 0,
      equivalentMarked: 0,
      staticIgnored: 0,
      score,
      date: '2026-12-01',
      command: 'old',
      ...(notes ? { notes } : {}),
    });
    const existing = { goal: 90, modules: [old('lib/b.ts', 70, 'why b survives'), old('lib/a.ts', 90)] };
    // Act
    const merged = mergeScores(existing, [{ ...old('lib/b.ts', 100), date: RUN.date }]);
    // Assess
    expect(merged.modules.map((m) => [m.file, m.score, m.date, m.notes])).toEqual([
      ['lib/a.ts', 90, '2026-12-01', undefined],
      ['lib/b.ts', 100, RUN.date, 'why b survives'],
    ]);
  });
});

describe('renderMutationSection', () => {
  it('renders every module with its score, counts, date and command, and flags one below the goal', () => {
    // Prepare
    const [a] = scoresFromReport(
      { files: { 'lib/a.ts': { mutants: mutants({ Killed: 8, Survived: 2 }) } } },
      RUN,
    );
    if (!a) throw new Error('no score');
    // Act
    const section = renderMutationSection({ goal: 90, modules: [{ ...a, notes: 'two message mutants' }] });
    // Assess
    expect(section.startsWith(`${MUTATION_HEADING}\n`)).toBe(true);
    expect(section).toContain(
      '| `lib/a.ts` | 80.0 % (below goal) | 10 | 8 | 0 | 2 | 0 | 0 | 0 | 2026-12-02 |',
    );
    expect(section).toContain(`- \`lib/a.ts\`: \`${RUN.command}\``);
    expect(section).toContain('- `lib/a.ts`: two message mutants');
  });

  it('replaces only the mutation section of a document', () => {
    // Prepare
    const doc = `# R\n\n## Before\n\ntext\n\n${MUTATION_HEADING}\n\nold table\n\n## How it runs\n\nrest\n`;
    // Act
    const out = replaceMutationSection(doc, `${MUTATION_HEADING}\n\nnew table\n\n`);
    // Assess
    expect(out).toBe(
      `# R\n\n## Before\n\ntext\n\n${MUTATION_HEADING}\n\nnew table\n\n## How it runs\n\nrest\n`,
    );
  });
});
