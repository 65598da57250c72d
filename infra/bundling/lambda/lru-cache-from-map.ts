// Stands in for `mnemonist/lru-cache` in the function bundles only (an esbuild alias, see ../function-bundle.ts).
// The DynamoDB client always builds an endpoint-discovery cache (`@aws-sdk/endpoint-cache`), even with
// discovery off as here; it uses five methods of mnemonist's LRU cache, whose typed-array machinery and
// iterator helpers are ~7 kB of every bundle. A Map keeps insertion order, which is all an LRU needs.
// test/infra/bundle-stand-ins.test.ts replays operation sequences against mnemonist's.

export default class LRUCache<K, V> {
  readonly capacity: number;
  readonly #entries = new Map<K, V>();

  constructor(capacity: number) {
    if (typeof capacity !== 'number' || capacity <= 0) {
      throw new Error('mnemonist/lru-cache: capacity should be positive number.');
    }
    this.capacity = capacity;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Stores the value as the most recently used, dropping the least recently used entry when full. */
  set(key: K, value: V): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.capacity) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, value);
  }

  /** The value, now the most recently used. */
  get(key: K): V | undefined {
    if (!this.#entries.has(key)) return undefined;
    const value = this.#entries.get(key) as V;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  /** The value, its recency unchanged. */
  peek(key: K): V | undefined {
    return this.#entries.get(key);
  }

  has(key: K): boolean {
    return this.#entries.has(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}
