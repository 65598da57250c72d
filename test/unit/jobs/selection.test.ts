// A run's selection: the selector narrowed to the requested ids, and what it says about ids it ignores.
import { describe, expect, it } from 'vitest';
import { selectRequested, syncSelectionNotes } from '#lib/jobs/selection.ts';
import { cluster } from '#test/fakes/teardown-scenario.ts';

const listed = [
  cluster('dev-a', { uuid: 'c-1' }),
  cluster('dev-b', { uuid: 'c-2' }),
  cluster('prod-a', { uuid: 'c-3' }),
];

describe('selectRequested', () => {
  it('is every selected cluster when no id is requested', () => {
    const selection = selectRequested(listed, { names: ['dev-*'] }, []);
    expect(selection.selected.map((c) => c.uuid)).toEqual(['c-1', 'c-2']);
    expect(selection.notSelected).toEqual([]);
  });

  it('narrows to the requested ids and names those the selector does not pick or that are not listed', () => {
    const selection = selectRequested(listed, { names: ['dev-*'] }, ['c-2', 'c-3', 'c-9']);
    expect(selection.selected.map((c) => c.uuid)).toEqual(['c-2']);
    expect(selection.notSelected).toEqual(['c-3', 'c-9']);
  });
});

describe('syncSelectionNotes', () => {
  it('says when nothing is selected and which requested ids are ignored, naming the policy', () => {
    expect(syncSelectionNotes('secrets-sync', selectRequested(listed, { names: ['qa-*'] }, ['c-1']))).toEqual(
      [
        'the secrets-sync policy selects no cluster; nothing to sync',
        'requested cluster(s) not selected by the secrets-sync policy, ignored: c-1',
      ],
    );
    expect(syncSelectionNotes('allowlist', selectRequested(listed, { names: ['dev-*'] }, []))).toEqual([]);
  });
});
