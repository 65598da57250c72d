// Adapters built on their first call. Container construction then pays only for the clients every
// invocation uses (DynamoDB, the token); KMS, EventBridge and the Secrets Manager writer are built by the
// invocation that first needs them. Their modules stay static imports: in a one-file bundle a dynamic
// import() keeps the whole SDK client package (no tree-shaking), +24 kB for KMS and +29 kB for EventBridge.

/**
 * A port whose every method (all async) first awaits `build()` (once; a failed build is retried by the next
 * call) and then delegates to the adapter it returned.
 */
export function builtOnFirstCall<T extends object>(
  build: () => Promise<T>,
  methods: readonly (keyof T & string)[],
): T {
  let adapter: Promise<T> | undefined;
  const ready = () => {
    adapter ??= build().catch((err: unknown) => {
      adapter = undefined;
      throw err;
    });
    return adapter;
  };
  const port: Record<string, unknown> = {};
  for (const method of methods) {
    port[method] = async (...args: unknown[]) => {
      const target = await ready();
      return Reflect.apply(target[method] as (...a: unknown[]) => unknown, target, args);
    };
  }
  return port as T;
}
