// The import rules of the code base, as data and one checker, so that the test can run the checker over
// the real tree and over synthetic wrong-way imports (a checker that never fires would pass silently).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The layers of `lib/`, lowest first (README › How it is built). A file in one folder may import its own
 * folder and any folder of a lower layer, never a folder of its own layer or a higher one.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['log', 'text', 'catalog'],
  ['allowlist', 'secrets', 'console'],
  ['config'],
  ['jobs'],
  ['state', 'triggers'],
  ['token'],
  ['runtime'],
];

/** What production code never imports: test code, the local environment, the CDK app, the job functions. */
const FORBIDDEN_IN_LIB = ['test', 'local', 'functions', 'infra'];
/** What a job function never imports (its bundle must not carry test or local code, or the CDK app). */
const FORBIDDEN_IN_FUNCTIONS = ['test', 'local', 'infra'];

export interface SourceFile {
  /** Relative to the repository root, with `/` separators: `lib/config/schema.ts`. */
  path: string;
  source: string;
}

/** Every module specifier a file imports: static, type-only, re-exports and dynamic `import()`. */
export function importsOf(file: SourceFile): string[] {
  return ts.preProcessFile(file.source, true, true).importedFiles.map((i) => i.fileName);
}

/** The top-level folder (`lib`, `test`, …) and, inside it, the first folder an import points at. */
function target(from: string, specifier: string): { root: string; folder?: string } | undefined {
  let resolved: string;
  if (specifier.startsWith('#')) resolved = specifier.slice(1);
  else if (specifier.startsWith('.'))
    resolved = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  else return undefined; // a package or a node: built-in
  const [root = '', folder] = resolved.split('/');
  return { root, folder };
}

function layerOf(folder: string): number | undefined {
  const index = LAYERS.findIndex((layer) => layer.includes(folder));
  return index < 0 ? undefined : index;
}

/** One line per import that breaks the rules; empty when the files obey them. */
export function layeringViolations(files: readonly SourceFile[]): string[] {
  const problems: string[] = [];
  for (const file of files) {
    const [root, folder = ''] = file.path.split('/');
    if (root !== 'lib' && root !== 'functions') continue;
    const own = root === 'lib' ? layerOf(folder) : undefined;
    if (root === 'lib' && own === undefined) {
      problems.push(`${file.path}: lib/${folder} has no layer (add it to LAYERS and to the README)`);
      continue;
    }
    for (const specifier of importsOf(file)) {
      const to = target(file.path, specifier);
      if (to === undefined) continue;
      if (root === 'functions') {
        if (FORBIDDEN_IN_FUNCTIONS.includes(to.root)) {
          problems.push(`${file.path} imports ${specifier}: functions/ never imports ${to.root}/`);
        }
        continue;
      }
      if (to.root !== 'lib') {
        const why = FORBIDDEN_IN_LIB.includes(to.root)
          ? `lib/ never imports ${to.root}/`
          : 'lib/ imports only lib/';
        problems.push(`${file.path} imports ${specifier}: ${why}`);
        continue;
      }
      if (to.folder === undefined || to.folder === folder) continue;
      const theirs = layerOf(to.folder);
      if (theirs === undefined || own === undefined || theirs >= own) {
        problems.push(
          `${file.path} imports ${specifier}: ${folder} (layer ${own}) may not import ${to.folder} ` +
            `(layer ${theirs ?? 'none'}); imports point only to lower layers`,
        );
      }
    }
  }
  return problems;
}

/** Every `.ts` file under the given top-level folders of the repository. */
export function readSources(repoRoot: string, roots: readonly string[]): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(repoRoot, relative), { withFileTypes: true })) {
      const child = `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith('.ts')) {
        files.push({ path: child, source: readFileSync(path.join(repoRoot, child), 'utf8') });
      }
    }
  };
  for (const root of roots) walk(root);
  return files;
}
