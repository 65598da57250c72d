// A Lambda context for invoking the real handlers outside Lambda (tests, local runs, benchmarks).
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/**
 * A Lambda context good enough for the middleware stack, with a remaining-time budget measured on `now` (a
 * test whose waits move a clock passes that clock, so a wait uses up the budget as it would in Lambda).
 */
export function lambdaContext(
  functionName: string,
  budgetMs = 300_000,
  now: () => number = Date.now,
): Context {
  const deadline = now() + budgetMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
