// Small helpers shared by the DynamoDB adapters: attribute codecs, an expression builder that only
// declares the names and values it uses, consistent reads, paginated queries, and error wrapping.
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import type { Clock } from '#lib/jobs/ports.ts';
import { type StateOperation, StateStoreError } from './errors.ts';
import { type ItemKey, isExpiredAt } from './keys.ts';
import { TABLE_SCHEMA } from './table.ts';

export type Item = Record<string, AttributeValue>;

export interface DynamoStoreOptions {
  /** Time source for leases and expiry checks; defaults to the system clock. */
  clock?: Clock;
}

export const systemClock: Clock = { now: () => Date.now() };

export const s = (v: string): AttributeValue => ({ S: v });
export const n = (v: number): AttributeValue => ({ N: String(v) });
export const b = (v: Uint8Array): AttributeValue => ({ B: v });
export const bool = (v: boolean): AttributeValue => ({ BOOL: v });
export const str = (v: AttributeValue | undefined): string | undefined => v?.S;
export const num = (v: AttributeValue | undefined): number | undefined =>
  v?.N === undefined ? undefined : Number(v.N);

export const TTL = TABLE_SCHEMA.ttlAttribute;

export function keyOf(key: ItemKey): Item {
  return { [TABLE_SCHEMA.partitionKey.name]: s(key.pk), [TABLE_SCHEMA.sortKey.name]: s(key.sk) };
}

/** Expression placeholders: `name('status')` → `#status`, `value(s('x'))` → `:v0`; only what is used is sent. */
export class Expr {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, AttributeValue> = {};
  private seq = 0;
  name(attribute: string): string {
    const placeholder = `#${attribute.replace(/[^A-Za-z0-9_]/g, '_')}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }
  value(v: AttributeValue): string {
    const placeholder = `:v${this.seq++}`;
    this.values[placeholder] = v;
    return placeholder;
  }
  /** ExpressionAttributeNames / Values, omitted when empty (DynamoDB refuses empty maps). */
  attributes(): {
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, AttributeValue>;
  } {
    return {
      ...(Object.keys(this.names).length ? { ExpressionAttributeNames: this.names } : {}),
      ...(Object.keys(this.values).length ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}

export function isConditionFailure(err: unknown): boolean {
  return (
    err instanceof ConditionalCheckFailedException ||
    (err as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException'
  );
}

export function wrap(operation: StateOperation, err: unknown): StateStoreError {
  return err instanceof StateStoreError ? err : new StateStoreError(operation, err);
}

/** Runs a DynamoDB call; any failure becomes a StateStoreError naming the operation. */
export async function attempt<T>(operation: StateOperation, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw wrap(operation, err);
  }
}

/**
 * Runs a conditional write: true if it was applied, false if its condition failed, a StateStoreError
 * for anything else.
 */
export async function conditionalWrite(
  operation: StateOperation,
  fn: () => Promise<unknown>,
): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw wrap(operation, err);
  }
}

export function itemExpired(item: Item, nowMs: number): boolean {
  return isExpiredAt(num(item[TTL]), nowMs);
}

/** A consistent read of one item; an item past its ttl counts as absent. */
export async function getLive(
  client: DynamoDBClient,
  tableName: string,
  operation: StateOperation,
  key: ItemKey,
  nowMs: number,
): Promise<Item | undefined> {
  const out = await attempt(operation, () =>
    client.send(new GetItemCommand({ TableName: tableName, Key: keyOf(key), ConsistentRead: true })),
  );
  if (!out.Item || itemExpired(out.Item, nowMs)) return undefined;
  return out.Item;
}

/**
 * Every item of one partition (optionally with a sort key prefix), following LastEvaluatedKey across
 * DynamoDB's 1 MB pages. Items past their ttl are left out.
 */
export async function queryLive(
  client: DynamoDBClient,
  tableName: string,
  operation: StateOperation,
  pk: string,
  nowMs: number,
  skPrefix?: string,
): Promise<Item[]> {
  const { partitionKey, sortKey } = TABLE_SCHEMA;
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const expr = new Expr();
    let condition = `${expr.name(partitionKey.name)} = ${expr.value(s(pk))}`;
    if (skPrefix !== undefined) {
      condition += ` AND begins_with(${expr.name(sortKey.name)}, ${expr.value(s(skPrefix))})`;
    }
    const page = await attempt(operation, () =>
      client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: condition,
          ConsistentRead: true,
          ...expr.attributes(),
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      ),
    );
    for (const item of page.Items ?? []) {
      if (!itemExpired(item, nowMs)) items.push(item);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** Parses a JSON attribute written by this module; a corrupt value is a store error, not a crash elsewhere. */
export function parseJson<T>(operation: StateOperation, value: AttributeValue | undefined, what: string): T {
  const text = str(value);
  if (text === undefined)
    throw new StateStoreError(operation, undefined, `${operation}: stored ${what} is missing`);
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new StateStoreError(operation, err, `${operation}: stored ${what} is not valid JSON`);
  }
}
