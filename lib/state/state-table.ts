// The calls every store makes on the one state table, bound once to its client, name and clock: consistent
// reads that treat an expired item as absent, paginated partition queries, and writes whose failure is a
// StateStoreError naming the port operation, while a write refused by its condition answers `applied: false`.
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type ReturnValue,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import type { Clock } from '#lib/jobs/ports.ts';
import { type StateOperation, StateStoreError } from './errors.ts';
import { attributes, attributeValue, type Item, itemExpired, keyOf } from './item-codec.ts';
import type { ItemKey } from './keys.ts';
import { TABLE_SCHEMA } from './table.ts';

export interface DynamoStoreOptions {
  /** Time source for leases and expiry checks; defaults to the system clock. */
  clock?: Clock;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Expression placeholders: `name('status')` → `#status`, `value('x')` → `:v0`; only what is used is sent. */
export class Expr {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, AttributeValue> = {};
  private seq = 0;
  name(attribute: string): string {
    const placeholder = `#${attribute.replace(/[^A-Za-z0-9_]/g, '_')}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }
  value(v: NativeAttributeValue): string {
    const placeholder = `:v${this.seq++}`;
    this.values[placeholder] = attributeValue(v);
    return placeholder;
  }
  /**
   * An UpdateExpression's `SET #a = :v0, #b = :v1` for the attributes given; undefined ones are left out
   * (a write that must clear an attribute REMOVEs it).
   */
  set(values: Record<string, NativeAttributeValue | undefined>): string {
    const assignments = Object.entries(values)
      .filter(([, v]) => v !== undefined)
      .map(([attribute, v]) => `${this.name(attribute)} = ${this.value(v)}`);
    return `SET ${assignments.join(', ')}`;
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

function wrap(operation: StateOperation, err: unknown): StateStoreError {
  return err instanceof StateStoreError ? err : new StateStoreError(operation, err);
}

/** What a write asks beyond its key: a condition (with the placeholders it and the update use), a return. */
export interface WriteOptions {
  expr?: Expr;
  /** ConditionExpression; when it does not hold the write answers `applied: false`. */
  condition?: string;
  returnValues?: ReturnValue;
}

export type WriteResult = { applied: true; attributes: Item | undefined } | { applied: false };

export class StateTable {
  constructor(
    readonly client: DynamoDBClient,
    readonly name: string,
    readonly clock: Clock,
  ) {}

  /** A consistent read of one item; an item past its ttl at `nowMs` counts as absent. */
  async get(operation: StateOperation, key: ItemKey, nowMs = this.clock.now()): Promise<Item | undefined> {
    const out = await this.send(operation, () =>
      this.client.send(new GetItemCommand({ TableName: this.name, Key: keyOf(key), ConsistentRead: true })),
    );
    if (!out.Item || itemExpired(out.Item, nowMs)) return undefined;
    return out.Item;
  }

  /**
   * Every item of one partition (optionally with a sort key prefix), following LastEvaluatedKey across
   * DynamoDB's 1 MB pages. Items past their ttl at `nowMs` are left out.
   */
  async query(operation: StateOperation, pk: string, nowMs: number, skPrefix?: string): Promise<Item[]> {
    const { partitionKey, sortKey } = TABLE_SCHEMA;
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const expr = new Expr();
      let condition = `${expr.name(partitionKey.name)} = ${expr.value(pk)}`;
      if (skPrefix !== undefined) {
        condition += ` AND begins_with(${expr.name(sortKey.name)}, ${expr.value(skPrefix)})`;
      }
      const page = await this.send(operation, () =>
        this.client.send(
          new QueryCommand({
            TableName: this.name,
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

  /** PutItem of the key and `values` (undefined ones left out). */
  put(
    operation: StateOperation,
    key: ItemKey,
    values: Record<string, NativeAttributeValue>,
    options: WriteOptions = {},
  ): Promise<WriteResult> {
    return this.write(operation, () =>
      this.client.send(
        new PutItemCommand({
          TableName: this.name,
          Item: { ...keyOf(key), ...attributes(values) },
          ...this.writeOptions(options),
        }),
      ),
    );
  }

  /** UpdateItem with `update` (an UpdateExpression using `options.expr`'s placeholders). */
  update(
    operation: StateOperation,
    key: ItemKey,
    update: string,
    options: WriteOptions & { expr: Expr },
  ): Promise<WriteResult> {
    return this.write(operation, () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.name,
          Key: keyOf(key),
          UpdateExpression: update,
          ...this.writeOptions(options),
        }),
      ),
    );
  }

  delete(operation: StateOperation, key: ItemKey, options: WriteOptions = {}): Promise<WriteResult> {
    return this.write(operation, () =>
      this.client.send(
        new DeleteItemCommand({ TableName: this.name, Key: keyOf(key), ...this.writeOptions(options) }),
      ),
    );
  }

  private writeOptions({ expr, condition, returnValues }: WriteOptions) {
    return {
      ...(condition !== undefined ? { ConditionExpression: condition } : {}),
      ...(returnValues !== undefined ? { ReturnValues: returnValues } : {}),
      ...expr?.attributes(),
    };
  }

  private async write(
    operation: StateOperation,
    call: () => Promise<{ Attributes?: Item }>,
  ): Promise<WriteResult> {
    try {
      const out = await call();
      return { applied: true, attributes: out.Attributes };
    } catch (err) {
      if (isConditionFailure(err)) return { applied: false };
      throw wrap(operation, err);
    }
  }

  /** Runs a DynamoDB call; any failure becomes a StateStoreError naming the operation. */
  private async send<T>(operation: StateOperation, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw wrap(operation, err);
    }
  }
}

/**
 * A store's factory with the signature every store shares (client, table name, options): `build` gets the
 * table bound to the client, name and clock.
 */
export function stateStore<Store>(
  build: (table: StateTable) => Store,
): (client: DynamoDBClient, tableName: string, options?: DynamoStoreOptions) => Store {
  return (client, tableName, options = {}) =>
    build(new StateTable(client, tableName, options.clock ?? systemClock));
}
