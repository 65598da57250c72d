import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { candidatesFor, citationsOf, filesBelow, piecesOf, problemsOf } from './promises.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TEST_DIR = `${ROOT}test`;

describe("the README's safety promises", () => {
  it('each name a test file and test names that exist', () => {
    const citations = citationsOf(readFileSync(`${ROOT}README.md`, 'utf8'));
    const testFiles = filesBelow(TEST_DIR);
    // Both promise tables (the short one under Safety, the teardown one) are read.
    expect(citations.length).toBeGreaterThan(20);
    expect(citations.filter((citation) => citation.names.length > 0).length).toBeGreaterThan(15);
    expect(citations.flatMap((citation) => problemsOf(citation, TEST_DIR, testFiles))).toEqual([]);
  });
});

describe('reading the citations', () => {
  const table = [
    '| promise | test |',
    '| --- | --- |',
    '| never opens | `unit/a.test.ts` › "refuses all…", "keeps…the rest"; `b.test.ts` › *a property*; `c.test.ts` |',
    '| kept | the state contract › *of many puts the longest wins* |',
    '',
    '| other | table |',
    '| --- | --- |',
    '| x | `d.test.ts` › "not a promise" |',
  ].join('\n');

  it('reads each segment of a promise table, with its file and quoted names, and no other table', () => {
    expect(citationsOf(table)).toEqual([
      { promise: 'never opens', file: 'unit/a.test.ts', names: ['refuses all…', 'keeps…the rest'] },
      { promise: 'never opens', file: 'b.test.ts', names: ['a property'] },
      { promise: 'never opens', file: 'c.test.ts', names: [] },
      { promise: 'kept', file: 'the state contract', names: ['of many puts the longest wins'] },
    ]);
  });

  it('matches a file by its path suffix, never by a part of a name', () => {
    const files = [
      'unit/teardown/plan.test.ts',
      'unit/teardown/replan.test.ts',
      'helpers/state-contract/keep.ts',
    ];
    expect(candidatesFor('plan.test.ts', files)).toEqual(['unit/teardown/plan.test.ts']);
    expect(candidatesFor('teardown/plan.test.ts', files)).toEqual(['unit/teardown/plan.test.ts']);
    expect(candidatesFor('the state contract', files)).toEqual(['helpers/state-contract/keep.ts']);
    expect(candidatesFor('missing.test.ts', files)).toEqual([]);
  });

  it('checks the text between the ellipses of a cited name', () => {
    expect(piecesOf('…within the cap')).toEqual(['within the cap']);
    expect(piecesOf('keeps…the rest…')).toEqual(['keeps', 'the rest']);
  });

  it('reports a missing file and a missing name, and passes a present one', () => {
    const testFiles = filesBelow(TEST_DIR);
    const self = 'unit/docs/promises.test.ts';
    expect(problemsOf({ promise: 'p', file: 'nowhere.test.ts', names: [] }, TEST_DIR, testFiles)).toEqual([
      'nowhere.test.ts: no such test file (cited for "p")',
    ]);
    expect(
      problemsOf({ promise: 'p', file: self, names: ['reads each segment…'] }, TEST_DIR, testFiles),
    ).toEqual([]);
    const absent = ['no', 'test has this name'].join(' ');
    expect(problemsOf({ promise: 'p', file: self, names: [`…${absent}`] }, TEST_DIR, testFiles)).toEqual([
      `${self}: no test named with "${absent}" (cited for "p")`,
    ]);
  });
});
