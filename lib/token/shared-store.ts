// Layer (b): one item per credential in the state table, holding the token, a lease for the one
// instance allowed to call the auth server, and the shared failure state (blocked / rejected).
import { createHash } from 'node:crypto';
import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { attributes, type Item, ItemReader, keyOf } from '#lib/state/item-codec.ts';
import { isConditionFailure } from '#lib/state/state-table.ts';
import { TABLE_SCHEMA, ttlSeconds } from '#lib/state/table.ts';

export interface SharedTokenState {
  token?: string;
  /** Epoch ms after which the token must not be used (skew margin already taken off). */
  expiresAt?: number;
  /** Epoch ms from which one instance may refresh the token ahead of its expiry. */
  refreshAt?: number;
  version?: number;
  leaseOwner?: string;
  leaseUntil?: number;
  lastAuthAt?: number;
  blockedUntil?: number;
  failures?: number;
  blockReason?: string;
  rejectedFingerprint?: string;
}

export interface LeaseRequest {
  owner: string;
  now: number;
  leaseMs: number;
  /**
   * The lease is only granted if the stored token needs refreshing: its refresh point (stored with it) has
   * come, or, for an item written without one, it expires at or before this.
   */
  refreshBefore: number;
  /** ... and if these credentials are not the ones recorded as rejected. */
  fingerprint: string;
  /** ... and if the last auth call started at or before this (a floor between auth calls, fleet-wide). */
  lastAuthBefore: number;
}

export interface Lease {
  owner: string;
  /** The state before the lease was taken (to tell a takeover and to continue the backoff count). */
  previous: SharedTokenState;
}

/** The port the token provider uses; `dynamoTokenStore` is the real one. */
export interface TokenStore {
  /**
   * 'fleet': shared by every container (DynamoDB). 'container': this container's own (memory): nobody
   * else will publish into it, and a token read from it counts as one from memory.
   */
  readonly scope: 'fleet' | 'container';
  read(key: string): Promise<SharedTokenState>;
  tryLease(key: string, request: LeaseRequest): Promise<Lease | undefined>;
  /**
   * Returns the new version, or undefined if the lease was lost (another holder took over). `refreshAt`:
   * from when the token may be refreshed ahead of its expiry (default: the lease's `refreshBefore` rule).
   */
  publish(
    key: string,
    owner: string,
    token: string,
    expiresAt: number,
    now: number,
    refreshAt?: number,
  ): Promise<number | undefined>;
  /**
   * The late answer to a request that timed out (its lease is gone): stored only if the item has no token
   * that lives at least as long; leaves any lease and pause alone. The new version, or undefined.
   */
  publishLate(
    key: string,
    token: string,
    expiresAt: number,
    now: number,
    refreshAt: number,
  ): Promise<number | undefined>;
  recordBlocked(
    key: string,
    owner: string,
    blockedUntil: number,
    failures: number,
    reason: string,
    now: number,
  ): Promise<void>;
  recordRejected(key: string, owner: string, fingerprint: string, now: number): Promise<void>;
  /**
   * Compare-and-delete: removes the token only if it is still at this version and no token of this
   * credential was invalidated after `notInvalidatedSince` (a Console that rejects every token must not
   * turn every call into an auth call). True when it removed the token.
   */
  invalidate(key: string, version: number, now: number, notInvalidatedSince: number): Promise<boolean>;
}

/** The item key for a credential: from client id, audience and token URL, never from the secret. */
export function tokenItemKey(clientId: string, audience: string, tokenUrl: string): string {
  const digest = createHash('sha256')
    .update(`${clientId}\n${audience}\n${tokenUrl}`)
    .digest('hex')
    .slice(0, 32);
  return `token#${digest}`;
}

const SORT_KEY = 'token';
const RETAIN_MS = 2 * 24 * 3600_000;

function fromItem(item: Item | undefined): SharedTokenState {
  if (!item) return {};
  const read = new ItemReader(item);
  return {
    token: read.string('tok'),
    expiresAt: read.number('tokExp'),
    refreshAt: read.number('tokRefresh'),
    version: read.number('ver'),
    leaseOwner: read.string('leaseOwner'),
    leaseUntil: read.number('leaseUntil'),
    lastAuthAt: read.number('lastAuthAt'),
    blockedUntil: read.number('blockedUntil'),
    failures: read.number('failures'),
    blockReason: read.string('blockReason'),
    rejectedFingerprint: read.string('rejectedFp'),
  };
}

export function dynamoTokenStore(dynamo: DynamoDBClient, tableName: string): TokenStore {
  const { ttlAttribute } = TABLE_SCHEMA;
  const itemKey = (key: string) => keyOf({ pk: key, sk: SORT_KEY });
  /**
   * A conditional update: the attributes it returned, or undefined when its condition did not hold (the
   * lease was lost, or the stored token is newer). `values` are plain values, undefined ones left out.
   */
  const updateIf = async (
    key: string,
    input: Omit<
      ConstructorParameters<typeof UpdateItemCommand>[0],
      'TableName' | 'Key' | 'ExpressionAttributeValues'
    >,
    values: Record<string, string | number | undefined>,
  ): Promise<{ attributes?: Item } | undefined> => {
    try {
      const out = await dynamo.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: itemKey(key),
          ...input,
          ExpressionAttributeValues: attributes(values),
        }),
      );
      return { attributes: out.Attributes };
    } catch (err) {
      if (isConditionFailure(err)) return undefined;
      throw err;
    }
  };
  const versionOf = (out: { attributes?: Item } | undefined) =>
    out?.attributes && new ItemReader(out.attributes).number('ver');
  /** SETs `assignments` and the ttl and drops the lease, only while `owner` holds it. */
  const updateIfLeaseHolder = (
    key: string,
    owner: string,
    assignments: string,
    values: Record<string, string | number>,
  ) =>
    updateIf(
      key,
      {
        UpdateExpression: `SET ${assignments}, #ttl = :ttl REMOVE leaseOwner, leaseUntil`,
        ConditionExpression: 'leaseOwner = :owner',
        ExpressionAttributeNames: { '#ttl': ttlAttribute },
      },
      { ...values, ':owner': owner },
    );

  return {
    scope: 'fleet',

    async read(key) {
      const out = await dynamo.send(
        new GetItemCommand({ TableName: tableName, Key: itemKey(key), ConsistentRead: true }),
      );
      return fromItem(out.Item);
    },

    async tryLease(key, r) {
      const out = await updateIf(
        key,
        {
          UpdateExpression: 'SET leaseOwner = :owner, leaseUntil = :until, lastAuthAt = :now, #ttl = :ttl',
          ConditionExpression: [
            '(attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
            // A token needs refreshing from its own refresh point: a fixed window before expiry would
            // hold a short-lived token (or one handed back part-way through its life) in the window
            // from the start, and the fleet would refresh it at the auth floor rate for its whole life.
            '(attribute_not_exists(tokExp) OR tokRefresh <= :now OR (attribute_not_exists(tokRefresh) AND tokExp <= :refreshBefore))',
            '(attribute_not_exists(blockedUntil) OR blockedUntil <= :now)',
            '(attribute_not_exists(rejectedFp) OR rejectedFp <> :fp)',
            '(attribute_not_exists(lastAuthAt) OR lastAuthAt <= :lastAuthBefore)',
          ].join(' AND '),
          ExpressionAttributeNames: { '#ttl': ttlAttribute },
          ReturnValues: 'ALL_OLD',
        },
        {
          ':owner': r.owner,
          ':until': r.now + r.leaseMs,
          ':now': r.now,
          ':ttl': ttlSeconds(r.now + RETAIN_MS),
          ':refreshBefore': r.refreshBefore,
          ':fp': r.fingerprint,
          ':lastAuthBefore': r.lastAuthBefore,
        },
      );
      return out && { owner: r.owner, previous: fromItem(out.attributes) };
    },

    async publish(key, owner, token, expiresAt, now, refreshAt) {
      const cleared = 'leaseOwner, leaseUntil, blockedUntil, failures, blockReason, rejectedFp';
      const out = await updateIf(
        key,
        {
          UpdateExpression:
            'SET tok = :tok, tokExp = :exp, ver = if_not_exists(ver, :zero) + :one, #ttl = :ttl' +
            (refreshAt === undefined
              ? ` REMOVE ${cleared}, tokRefresh`
              : `, tokRefresh = :refresh REMOVE ${cleared}`),
          ConditionExpression: 'leaseOwner = :owner',
          ExpressionAttributeNames: { '#ttl': ttlAttribute },
          ReturnValues: 'UPDATED_NEW',
        },
        {
          ':tok': token,
          ':exp': expiresAt,
          ':zero': 0,
          ':one': 1,
          ':ttl': ttlSeconds(Math.max(expiresAt, now) + RETAIN_MS),
          ':owner': owner,
          ':refresh': refreshAt,
        },
      );
      return versionOf(out);
    },

    async publishLate(key, token, expiresAt, now, refreshAt) {
      const out = await updateIf(
        key,
        {
          UpdateExpression:
            'SET tok = :tok, tokExp = :exp, tokRefresh = :refresh, ver = if_not_exists(ver, :zero) + :one, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(tokExp) OR tokExp < :exp',
          ExpressionAttributeNames: { '#ttl': ttlAttribute },
          ReturnValues: 'UPDATED_NEW',
        },
        {
          ':tok': token,
          ':exp': expiresAt,
          ':refresh': refreshAt,
          ':zero': 0,
          ':one': 1,
          ':ttl': ttlSeconds(Math.max(expiresAt, now) + RETAIN_MS),
        },
      );
      return versionOf(out);
    },

    // Both give up the lease and record why; a lease already lost leaves the item to its new holder.
    async recordBlocked(key, owner, blockedUntil, failures, reason, now) {
      await updateIfLeaseHolder(
        key,
        owner,
        'blockedUntil = :until, failures = :failures, blockReason = :reason',
        {
          ':until': blockedUntil,
          ':failures': failures,
          ':reason': reason,
          ':ttl': ttlSeconds(Math.max(blockedUntil, now) + RETAIN_MS),
        },
      );
    },

    async recordRejected(key, owner, fingerprint, now) {
      await updateIfLeaseHolder(key, owner, 'rejectedFp = :fp, rejectedAt = :now', {
        ':fp': fingerprint,
        ':now': now,
        ':ttl': ttlSeconds(now + RETAIN_MS),
      });
    },

    async invalidate(key, version, now, notInvalidatedSince) {
      const out = await updateIf(
        key,
        {
          UpdateExpression: 'SET invalidatedAt = :now REMOVE tok, tokExp, tokRefresh',
          ConditionExpression:
            'ver = :ver AND attribute_exists(tok) AND (attribute_not_exists(invalidatedAt) OR invalidatedAt <= :since)',
        },
        { ':ver': version, ':now': now, ':since': notInvalidatedSince },
      );
      return out !== undefined;
    },
  };
}
