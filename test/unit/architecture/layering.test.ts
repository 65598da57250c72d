// Imports run one way (README › How it is built): every file of lib/ imports only its own folder and lower
// layers, never test/, local/, functions/ or infra/; functions/ never imports test/, local/ or infra/.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importsOf, LAYERS, layeringViolations, readSources } from './layering.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('the import graph of the code base', () => {
  it('has no import from a lower layer of lib/ to a higher one, nor out of lib/ or into test/ and local/', () => {
    // Prepare
    const files = readSources(ROOT, ['lib', 'functions']);
    // Act
    const problems = layeringViolations(files);
    // Assess
    expect(files.length).toBeGreaterThan(50);
    expect(problems).toEqual([]);
  });

  it('places every folder of lib/ in exactly one layer', () => {
    const folders = readdirSync(`${ROOT}lib`, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    const placed = LAYERS.flat();
    expect([...placed].sort()).toEqual(folders);
    expect(new Set(placed).size).toBe(placed.length);
  });
});

describe('layeringViolations (the checker itself)', () => {
  const file = (path: string, source: string) => ({ path, source });

  it('detects a wrong-way import, whichever form it takes', () => {
    const wrong = [
      file('lib/config/schema.ts', "import { JOBS } from '#lib/jobs/types.ts';"),
      file('lib/config/a.ts', "import type { RunSummary } from '#lib/jobs/types.ts';"),
      file('lib/config/b.ts', "export * from '../jobs/types.ts';"),
      file('lib/jobs/c.ts', "const c = await import('#lib/runtime/container.ts');"),
      file('lib/state/d.ts', "import { parseJobRequest } from '#lib/triggers/requests.ts';"),
    ];
    for (const f of wrong) {
      const problems = layeringViolations([f]);
      expect(problems, f.source).toHaveLength(1);
      expect(problems[0]).toContain('imports point only to lower layers');
    }
  });

  it('detects production code importing test, local, functions or infra code', () => {
    const problems = layeringViolations([
      file('lib/jobs/e.ts', "import { manualClock } from '#test/fakes/clock.ts';"),
      file('lib/log/f.ts', "import { recordingLog } from '../../local/recording-log.ts';"),
      file('lib/runtime/g.ts', "import { handler } from '#functions/backup/handler.ts';"),
      file('lib/runtime/h.ts', "import { Stack } from '#infra/stack.ts';"),
      file('functions/backup/i.ts', "import { recordingLog } from '#local/recording-log.ts';"),
      file('functions/teardown/j.ts', "import { harness } from '../../test/unit/teardown/fakes.ts';"),
    ]);
    expect(problems).toEqual([
      'lib/jobs/e.ts imports #test/fakes/clock.ts: lib/ never imports test/',
      'lib/log/f.ts imports ../../local/recording-log.ts: lib/ never imports local/',
      'lib/runtime/g.ts imports #functions/backup/handler.ts: lib/ never imports functions/',
      'lib/runtime/h.ts imports #infra/stack.ts: lib/ never imports infra/',
      'functions/backup/i.ts imports #local/recording-log.ts: functions/ never imports local/',
      'functions/teardown/j.ts imports ../../test/unit/teardown/fakes.ts: functions/ never imports test/',
    ]);
  });

  it('accepts downward imports, imports inside a folder, packages, and comments that look like imports', () => {
    const problems = layeringViolations([
      file('lib/runtime/k.ts', "import { executeRun } from '#lib/jobs/engine.ts';"),
      file(
        'lib/jobs/l.ts',
        "import type { Log } from '#lib/log/log.ts';\nimport { pascalCase } from './names.ts';",
      ),
      file('lib/console/m.ts', "import { z } from 'zod';\nimport { randomUUID } from 'node:crypto';"),
      file('lib/text/n.ts', "// import { x } from '#lib/runtime/container.ts';\nexport const n = 1;"),
      file('functions/teardown/o.ts', "import { x } from '#functions/allowlist-sync/desired.ts';"),
    ]);
    expect(problems).toEqual([]);
  });

  it('refuses a folder of lib/ that no layer names', () => {
    expect(layeringViolations([file('lib/newthing/p.ts', 'export const p = 1;')])).toEqual([
      'lib/newthing/p.ts: lib/newthing has no layer (add it to LAYERS and to the README)',
    ]);
  });

  it('reads static, type-only, re-exported and dynamic imports', () => {
    const source = [
      "import a from 'a';",
      "import type { B } from './b.ts';",
      "export { c } from '#lib/c.ts';",
      "const d = import('#lib/d.ts');",
    ].join('\n');
    expect(importsOf(file('lib/x/y.ts', source))).toEqual(['a', './b.ts', '#lib/c.ts', '#lib/d.ts']);
  });
});
