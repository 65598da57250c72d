// How the stores turn values into DynamoDB attributes and back. Writing goes through
// `@aws-sdk/util-dynamodb` (string S, number N, boolean BOOL, bytes B, Set<string> SS; an undefined value
// leaves its attribute out). Reading is by hand, one typed attribute at a time: an item written by a bad
// manual edit or an older version must come out as "unreadable, because …" for its own cluster only, never
// as an exception from the middle of a listing (which is what a whole-item `unmarshall` would throw).
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { convertToAttr, marshall, type NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import { type StateOperation, StateStoreError } from './errors.ts';
import { type ItemKey, isExpiredAt } from './keys.ts';
import { TABLE_SCHEMA } from './table.ts';

export type Item = Record<string, AttributeValue>;

/** The attribute holding an item's expiry (epoch seconds). */
export const TTL = TABLE_SCHEMA.ttlAttribute;

/** Attributes from plain values; an undefined value leaves its attribute out (DynamoDB has no "undefined"). */
export function attributes(values: Record<string, NativeAttributeValue>): Item {
  return marshall(values, { removeUndefinedValues: true });
}

/** One attribute value from a plain value (for expression placeholders). */
export function attributeValue(value: NativeAttributeValue): AttributeValue {
  return convertToAttr(value);
}

export function keyOf(key: ItemKey): Item {
  return attributes({ [TABLE_SCHEMA.partitionKey.name]: key.pk, [TABLE_SCHEMA.sortKey.name]: key.sk });
}

export function itemExpired(item: Item, nowMs: number): boolean {
  return isExpiredAt(new ItemReader(item).number(TTL), nowMs);
}

/**
 * Typed reads of one stored item. The plain readers answer undefined for a missing or mistyped attribute;
 * `required*` also note its name in `missing`, so a decoder can say at once everything that is wrong.
 */
export class ItemReader {
  /** Names of required attributes that were missing or of the wrong type, in the order asked. */
  readonly missing: string[] = [];
  constructor(readonly item: Item) {}

  string(name: string): string | undefined {
    return this.item[name]?.S;
  }
  number(name: string): number | undefined {
    const text = this.item[name]?.N;
    return text === undefined ? undefined : Number(text);
  }
  bytes(name: string): Uint8Array | undefined {
    return this.item[name]?.B;
  }
  boolean(name: string): boolean | undefined {
    return this.item[name]?.BOOL;
  }
  /** The sort key: the name or id the item is stored under. */
  sortKey(): string | undefined {
    return this.string(TABLE_SCHEMA.sortKey.name);
  }

  /** A string attribute that must be there (and, unless `allowEmpty`, not be empty). */
  requiredString(name: string, { allowEmpty = false } = {}): string {
    const value = this.string(name);
    if (value === undefined || (!allowEmpty && value === '')) this.missing.push(name);
    return value ?? '';
  }
  /** A finite number attribute that must be there. */
  requiredNumber(name: string): number {
    const value = this.number(name);
    if (value === undefined || !Number.isFinite(value)) {
      this.missing.push(name);
      return Number.NaN;
    }
    return value;
  }

  /**
   * A JSON string attribute written by a store; a missing or corrupt value is a StateStoreError naming
   * `what` (callers that list items turn it into that item's unreadable reason).
   */
  json<T>(operation: StateOperation, name: string, what: string): T {
    const text = this.string(name);
    if (text === undefined)
      throw new StateStoreError(operation, undefined, `${operation}: stored ${what} is missing`);
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new StateStoreError(operation, err, `${operation}: stored ${what} is not valid JSON`);
    }
  }
  /** Like `json`, but an absent attribute is undefined (an optional part of the record). */
  optionalJson<T>(operation: StateOperation, name: string, what: string): T | undefined {
    return this.item[name] === undefined ? undefined : this.json<T>(operation, name, what);
  }
}
