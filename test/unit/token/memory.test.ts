// What one container remembers: the token it hands out while it lives, and where each recent token was
// recorded (so a Console 401 invalidates exactly that version in the store), at most eight of them.
import { describe, expect, it } from 'vitest';
import { TokenMemory } from '#lib/token/memory.ts';
import { memoryTokenStore } from '#lib/token/memory-store.ts';

const store = memoryTokenStore();
const token = (name: string, expiresAt = 100_000) => ({
  accessToken: name,
  expiresAt,
  refreshAt: expiresAt - 10,
});

describe('TokenMemory', () => {
  it('holds the token while it lives', () => {
    // Prepare
    const memory = new TokenMemory();
    // Act
    memory.hold(token('a', 1_000));
    // Assess
    expect(memory.live(999)?.accessToken).toBe('a');
    expect(memory.live(1_000)).toBeUndefined();
  });

  it('is outlived by a token only when that expires strictly later than the one held', () => {
    // Prepare
    const memory = new TokenMemory();
    const empty = memory.outlivedBy(1);
    // Act
    memory.hold(token('a', 1_000));
    // Assess
    expect(empty).toBe(true);
    expect([memory.outlivedBy(999), memory.outlivedBy(1_000), memory.outlivedBy(1_001)]).toEqual([
      false,
      false,
      true,
    ]);
  });

  it('records where a token is stored only when it has a version, and forgets it once', () => {
    // Prepare
    const memory = new TokenMemory();
    memory.hold(token('unversioned'), { store, key: 'k' });
    memory.hold(token('versioned'), { store, key: 'k', version: 3 });
    // Act
    const unversioned = memory.forget('unversioned');
    const versioned = memory.forget('versioned');
    const again = memory.forget('versioned');
    // Assess
    expect(unversioned).toBeUndefined();
    expect(versioned).toEqual({ store, key: 'k', version: 3 });
    expect(again).toBeUndefined();
    expect(memory.live(0)).toBeUndefined();
  });

  it('forgetting an older token keeps the one held', () => {
    // Prepare
    const memory = new TokenMemory();
    memory.hold(token('old'), { store, key: 'k', version: 1 });
    memory.hold(token('new'), { store, key: 'k', version: 2 });
    // Act
    const recorded = memory.forget('old');
    // Assess
    expect(recorded?.version).toBe(1);
    expect(memory.live(0)?.accessToken).toBe('new');
  });

  it('remembers the last eight tokens, dropping the oldest first', () => {
    // Prepare
    const memory = new TokenMemory();
    // Act
    for (let v = 1; v <= 9; v++) memory.hold(token(`t${v}`), { store, key: 'k', version: v });
    // Assess
    expect(memory.forget('t1')).toBeUndefined();
    expect(memory.forget('t2')?.version).toBe(2);
    expect(memory.forget('t9')?.version).toBe(9);
  });
});
