// The toolchain the project states: Lambda runs Node 24, the function code is typechecked against the same
// major of @types/node, and the local Node versions package.json `engines` accepts include the one running.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FUNCTION_RUNTIME } from '#infra/constructs/automation-function.ts';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
  packages: Record<string, { version?: string }>;
};

const major = (v: string) => Number(/(\d+)/.exec(v)?.[1]);

/** `>=20.11 <25`: the two bounds, as [major, minor] and major. */
function enginesRange(range: string): { min: [number, number]; belowMajor: number } {
  const m = /^>=(\d+)\.(\d+) <(\d+)$/.exec(range);
  if (!m) throw new Error(`engines.node '${range}' is not of the form >=A.B <C`);
  return { min: [Number(m[1]), Number(m[2])], belowMajor: Number(m[3]) };
}

describe('toolchain', () => {
  it('the functions run on Node.js 24', () => {
    expect(FUNCTION_RUNTIME.name).toBe('nodejs24.x');
  });

  it('@types/node (declared and installed) matches the Lambda runtime’s major', () => {
    // Act
    const runtimeMajor = major(FUNCTION_RUNTIME.name);

    // Assess
    expect(major(pkg.devDependencies['@types/node'] ?? '')).toBe(runtimeMajor);
    expect(major(lock.packages['node_modules/@types/node']?.version ?? '')).toBe(runtimeMajor);
  });

  it('engines.node accepts Node 20.11+, 22 and 24 — including the Node running these tests', () => {
    // Prepare
    const { min, belowMajor } = enginesRange(pkg.engines.node);
    const accepts = (v: string) => {
      const [maj = 0, min2 = 0] = v.replace(/^v/, '').split('.').map(Number);
      return (maj > min[0] || (maj === min[0] && min2 >= min[1])) && maj < belowMajor;
    };

    // Assess
    expect(['20.11.0', '22.0.0', '24.0.0'].map(accepts)).toEqual([true, true, true]);
    expect(['20.10.0', '18.20.0', '25.0.0'].map(accepts)).toEqual([false, false, false]);
    expect(accepts(process.version)).toBe(true);
    expect(belowMajor).toBe(major(FUNCTION_RUNTIME.name) + 1);
  });
});
