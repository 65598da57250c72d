import { describe, expect, it } from 'vitest';
import {
  BENCHMARKS_INTRO,
  formatMs,
  formatUs,
  markdownTable,
  percentile,
  replaceSection,
  SectionMarkerError,
  sectionMarkers,
  summarize,
} from '../../../bench/lib/report.ts';

describe('percentile (nearest rank)', () => {
  it('picks the smallest sample with at least p % of the samples at or below it', () => {
    // Prepare: 1..100 shuffled, so sorting matters
    const values = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1);
    // Act / Assess
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile(values, 100)).toBe(100);
  });

  it('always returns one of the samples, never an interpolation', () => {
    // Prepare
    const values = [10, 20, 30, 40];
    // Act
    const p50 = percentile(values, 50);
    const p95 = percentile(values, 95);
    // Assess: nearest rank ceil(0.5 × 4) = 2nd, ceil(0.95 × 4) = 4th
    expect(p50).toBe(20);
    expect(p95).toBe(40);
  });

  it('does not reorder the caller’s array', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });

  it('refuses no samples and a p outside 0–100', () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(/not within 0–100/);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('gives count, min, p50, p95 and max', () => {
    // Prepare
    const values = Array.from({ length: 20 }, (_, i) => 20 - i);
    // Act
    const s = summarize(values);
    // Assess
    expect(s).toEqual({ count: 20, min: 1, p50: 10, p95: 19, max: 20 });
  });

  it('is undefined without samples', () => {
    expect(summarize([])).toBeUndefined();
  });
});

describe('markdownTable', () => {
  it('renders a header, a separator and one line per row, escaping pipes', () => {
    // Act
    const table = markdownTable(['a', 'b'], [['1', 'x|y']]);
    // Assess
    expect(table.split('\n')).toEqual(['| a | b |', '| --- | --- |', '| 1 | x\\|y |']);
  });
});

describe('replaceSection', () => {
  const { start, end } = sectionMarkers('token');

  it('replaces only the text between the section’s markers', () => {
    // Prepare
    const doc = `# Title\n\nintro\n\n${start}\nold figures\n${end}\n\n<!-- bench:other:start -->\nkept\n<!-- bench:other:end -->\n`;
    // Act
    const next = replaceSection(doc, 'token', 'new figures\n');
    // Assess
    expect(next).toBe(
      `# Title\n\nintro\n\n${start}\nnew figures\n${end}\n\n<!-- bench:other:start -->\nkept\n<!-- bench:other:end -->\n`,
    );
  });

  it('appends the section after the existing text when it has none', () => {
    // Act
    const next = replaceSection(BENCHMARKS_INTRO, 'token', 'figures');
    // Assess
    expect(next.startsWith(BENCHMARKS_INTRO.trimEnd())).toBe(true);
    expect(next.endsWith(`\n\n${start}\nfigures\n${end}\n`)).toBe(true);
  });

  it('is idempotent: replacing twice with the same body gives the same document', () => {
    // Prepare
    const once = replaceSection('# B\n', 'token', 'x');
    // Act
    const twice = replaceSection(once, 'token', 'x');
    // Assess
    expect(twice).toBe(once);
    expect(twice.match(new RegExp(start, 'g'))).toHaveLength(1);
  });

  it('leaves another section with a similar name alone', () => {
    // Prepare
    const doc = '<!-- bench:token-x:start -->\nother\n<!-- bench:token-x:end -->\n';
    // Act
    const next = replaceSection(doc, 'token', 'mine');
    // Assess
    expect(next).toContain('<!-- bench:token-x:start -->\nother\n<!-- bench:token-x:end -->');
    expect(next).toContain(`${start}\nmine\n${end}`);
  });

  it('refuses unpaired, repeated or reversed markers instead of damaging the file', () => {
    expect(() => replaceSection(`${start}\nno end\n`, 'token', 'x')).toThrow(SectionMarkerError);
    expect(() => replaceSection(`${start}\n${end}\n${start}\n${end}\n`, 'token', 'x')).toThrow(
      /found 2 and 2/,
    );
    expect(() => replaceSection(`${end}\n${start}\n`, 'token', 'x')).toThrow(/wrong order/);
  });
});

describe('formatting durations', () => {
  it('keeps about three significant figures in milliseconds', () => {
    expect(formatMs(0.04213)).toBe('0.042 ms');
    expect(formatMs(3.714)).toBe('3.71 ms');
    expect(formatMs(48.24)).toBe('48.2 ms');
    expect(formatMs(1250.4)).toBe('1250 ms');
  });

  it('shows in-process calls in microseconds, and in milliseconds from 1 ms', () => {
    expect(formatUs(0.00021)).toBe('0.21 µs');
    expect(formatUs(0.0034)).toBe('3.4 µs');
    expect(formatUs(0.12)).toBe('120 µs');
    expect(formatUs(12.1)).toBe('12.1 ms');
  });
});
