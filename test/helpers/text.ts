// Assertions on rendered text (benchmark and report sections).
import { expect } from 'vitest';

/** `text` contains every fragment (each checked on its own, so a failure names the missing one). */
export function expectToContainAll(text: string, fragments: string[]): void {
  for (const fragment of fragments) expect(text).toContain(fragment);
}
