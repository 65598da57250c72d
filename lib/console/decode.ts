// Lenient response decoding: each answer is checked for the fields the project acts on and nothing else.
// Objects are loose (fields the API adds later are kept, spec fields the client does not act on may be
// missing), and a mismatch is described by its field path with the client's own words — never a value
// from the body, which for some operations is secret material.
// A namespace import, not `import { z }`: esbuild then keeps only what is used, where the `z` object drags
// every locale of the library (~400 kB) into each function bundle.
import * as z from 'zod/mini';
import type * as Shapes from '#lib/console/types.ts';

/** A decoded answer, or what is wrong with it (`cluster[0].status.ready is missing`). */
export type Decoded<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Checks a parsed JSON body (`undefined` for an empty one). */
export type Decoder<T> = (body: unknown) => Decoded<T>;

// Every schema carries its own message, so no library wording (which may quote input) reaches an error.
const notAnObject = { error: 'is not an object' };
const notAnArray = { error: 'is not an array' };
const notAString = { error: 'is not a string' };
const missing = { error: 'is missing' };

// The schemas are built by the first answer of their kind, not at import (a cold start decodes a few kinds).
const requiredString = () => z.string(missing).check(z.minLength(1, missing));
const date = () =>
  requiredString().check(
    z.refine((value: string) => Number.isFinite(Date.parse(value)), { error: 'is not a date' }),
  );
const anyArray = () => z.array(z.unknown(), notAnArray);
const stringArray = () => z.array(z.string(notAString), notAnArray);

const clusterSchema = () =>
  z.looseObject(
    {
      uuid: requiredString(),
      name: requiredString(),
      status: z.looseObject({ ready: requiredString() }, notAnObject),
    },
    notAnObject,
  );
const backupSchema = () =>
  z.looseObject({ uuid: requiredString(), status: requiredString(), created: date() }, notAnObject);
const scheduleSchema = () => z.looseObject({ schedule: requiredString() }, notAnObject);
const restoreSchema = () =>
  z.looseObject({ uuid: requiredString(), backupId: requiredString(), state: requiredString() }, notAnObject);
const parametersSchema = () =>
  z.looseObject({ channels: anyArray(), clusterPlanTypes: anyArray(), regions: anyArray() }, notAnObject);
const createdClusterSchema = () => z.looseObject({ clusterId: requiredString() }, notAnObject);
const ipRangesSchema = () => z.looseObject({ 'web-modeler': stringArray() }, notAnObject);
const secretsSchema = () => z.record(z.string(), z.string(notAString), notAnObject);
const apiClientSchema = () =>
  z.looseObject(
    { name: requiredString(), clientId: requiredString(), permissions: stringArray() },
    notAnObject,
  );
const createdApiClientSchema = () =>
  z.looseObject(
    {
      clientId: requiredString(),
      clientSecret: requiredString(),
      name: requiredString(),
      permissions: anyArray(),
    },
    notAnObject,
  );

/** `cluster` + `[0, 'status', 'ready']` → `cluster[0].status.ready`. */
function fieldName(subject: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (name, key) => (typeof key === 'number' ? `${name}[${key}]` : `${name}.${String(key)}`),
    subject,
  );
}

/**
 * A decoder for one kind of answer. `subject` names it in problems; `listSubject`, when the answer is a
 * list, names the list itself (`cluster list is not an array`, but `cluster[3].uuid is missing`).
 */
function decoderOf<T>(schemaOf: () => z.ZodMiniType, subject: string, listSubject?: string): Decoder<T> {
  let schema: z.ZodMiniType | undefined;
  return (body) => {
    schema ??= schemaOf();
    const result = z.safeParse(schema, body);
    // The schemas check only what the project acts on; the Lenient types say the same to the compiler.
    if (result.success) return { ok: true, value: result.data as T };
    const [issue] = result.error.issues;
    const path = issue?.path ?? [];
    const name = path.length === 0 && listSubject ? listSubject : fieldName(subject, path);
    return { ok: false, problem: `${name} ${issue?.message ?? 'is invalid'}` };
  };
}

/** A decoder for a list of `item`s: the list itself is the `<subject> list`, its items `<subject>[i]`. */
function listDecoderOf<T>(itemOf: () => z.ZodMiniType, subject: string): Decoder<T[]> {
  return decoderOf<T[]>(() => z.array(itemOf(), notAnArray), subject, `${subject} list`);
}

export const decodeCluster = decoderOf<Shapes.Cluster>(clusterSchema, 'cluster');
export const decodeClusters = listDecoderOf<Shapes.Cluster>(clusterSchema, 'cluster');
export const decodeBackup = decoderOf<Shapes.Backup>(backupSchema, 'backup');
export const decodeBackups = listDecoderOf<Shapes.Backup>(backupSchema, 'backup');
export const decodeSchedule = decoderOf<Shapes.BackupSchedule>(scheduleSchema, 'schedule');
export const decodeRestore = decoderOf<Shapes.Restore>(restoreSchema, 'restore');
export const decodeParameters = decoderOf<Shapes.ClusterParameters>(parametersSchema, 'parameters');
export const decodeCreatedCluster = decoderOf<Shapes.CreatedCluster>(createdClusterSchema, 'created cluster');
export const decodeIpRanges = decoderOf<Shapes.IpRanges>(ipRangesSchema, 'ip ranges');
export const decodeSecrets = decoderOf<Shapes.ClusterSecrets>(secretsSchema, 'secrets');
export const decodeApiClients = listDecoderOf<Shapes.ApiClient>(apiClientSchema, 'client');
export const decodeCreatedApiClient = decoderOf<Shapes.CreatedApiClient>(
  createdApiClientSchema,
  'created client',
);

/** A success body's text, parsed as JSON (empty: `undefined`) and decoded. */
export function decodeBody<T>(text: string, decode: Decoder<T>): Decoded<T> {
  let parsed: unknown;
  try {
    parsed = text.trim() === '' ? undefined : JSON.parse(text);
  } catch {
    return { ok: false, problem: 'response is not JSON' };
  }
  return decode(parsed);
}
