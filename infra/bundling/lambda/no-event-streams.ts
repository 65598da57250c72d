// Stands in for `@smithy/core/event-streams` in the function bundles only (an esbuild alias, see
// ../function-bundle.ts). The SDK's HTTP protocol imports it lazily for event-stream operations; none of the
// clients the functions use (DynamoDB, Secrets Manager, KMS, EventBridge) has one, but a one-file bundle
// would carry the codec (~20 kB) anyway. Reaching it would be a bundling mistake, so it fails loudly.

function notBundled(): never {
  throw new Error('event streams are not bundled into the functions (infra/bundling/function-bundle.ts)');
}

export const EventStreamSerde = notBundled;
export const eventStreamSerdeProvider = notBundled;
