// Draws docs/auth-requests.svg from docs/bench-token.json (written by `npm run bench:token`) and rewrites the
// `auth-chart` section of docs/BENCHMARKS.md that shows it. Part of `npm run bench`; on its own:
// `npx tsx bench/auth-chart.ts`.
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { authRequestsChart, chartDataFrom, renderChartSection } from './lib/auth-chart.ts';
import { writeSection } from './lib/report.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    figures: { type: 'string', default: 'docs/bench-token.json' },
    chart: { type: 'string', default: 'docs/auth-requests.svg' },
    out: { type: 'string', default: 'docs/BENCHMARKS.md' },
    'no-write': { type: 'boolean', default: false },
  },
});

let text: string;
try {
  text = await readFile(resolve(ROOT, values.figures), 'utf8');
} catch (err) {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  process.stderr.write(`${values.figures} not found: run \`npm run bench:token\` first\n`);
  process.exit(1);
}
const data = chartDataFrom(JSON.parse(text));
await writeFile(resolve(ROOT, values.chart), authRequestsChart(data));
process.stdout.write(`wrote ${values.chart} from ${values.figures}\n`);
if (!values['no-write']) {
  const out = resolve(ROOT, values.out);
  // Links are relative to the markdown file; both live in docs/.
  const relativeTo = (path: string) => path.replace(/^docs\//, '');
  await writeSection(out, 'auth-chart', renderChartSection(data, relativeTo(values.chart), values.figures));
  process.stdout.write(`wrote the auth-chart section of ${values.out}\n`);
}
