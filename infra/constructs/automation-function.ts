// One construct holds every function default: arm64, the newest Node runtime aws-cdk-lib offers, an ESM bundle
// (minified, source maps) built by the local esbuild, an explicit log group with retention, its own role with
// nothing attached (permissions come only from grant* calls), timeout, memory, merged environment, and the
// failure path of asynchronous invocations (retries, then the dead-letter queue).
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type IDestination, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '#lib/runtime/metrics.ts';
import { FUNCTION_BUILD_OPTIONS, functionEsbuildArgs, REQUIRE_BANNER } from '../bundling/function-bundle.ts';

/** The newest Node.js runtime in aws-cdk-lib (a test fails when aws-cdk-lib offers a newer one). */
export const FUNCTION_RUNTIME = Runtime.NODEJS_24_X;

/** Lambda's own retries of a failed asynchronous invocation (schedules and events) before the dead-letter queue. */
export const ASYNC_RETRY_ATTEMPTS = 2;
export const ASYNC_MAX_EVENT_AGE = Duration.hours(6);

export interface AutomationFunctionProps {
  /** Path of the handler module (exports `handler`). */
  entry: string;
  /**
   * Short name of the job: `POWERTOOLS_SERVICE_NAME`, hence the `service` dimension of every metric the
   * function emits (Powertools Metrics adds it by default) and the `service` key of every log line.
   */
  service: string;
  description: string;
  timeout: Duration;
  memorySize: number;
  logRetention: RetentionDays;
  /** Where failed asynchronous invocations go once Lambda's retries are used up. */
  deadLetters: IQueue;
  /** Merged over the defaults (never replacing the whole set). */
  environment?: Record<string, string>;
  /** Values inlined into the bundle at build time (esbuild `define`), e.g. the resolved config. */
  define?: Record<string, string>;
  /** Undefined: no reservation (the function draws on the account's unreserved pool). */
  reservedConcurrentExecutions?: number;
}

export class AutomationFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: AutomationFunctionProps) {
    super(scope, id);
    // Kept when the stack is deleted: the logs are the record of which clusters were deleted and why.
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Its own role, no AWS managed policy: only what grant* calls add.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.service} function`,
    });
    this.fn = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: FUNCTION_RUNTIME,
      architecture: Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.service,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...props.environment,
      },
      bundling: {
        // infra/bundling/function-bundle.ts holds these settings for the benchmark and tests too. The target
        // follows the runtime (node24). Local esbuild from node_modules; never Docker.
        format: OutputFormat.ESM,
        minify: FUNCTION_BUILD_OPTIONS.minify,
        sourceMap: FUNCTION_BUILD_OPTIONS.sourcemap,
        sourcesContent: FUNCTION_BUILD_OPTIONS.sourcesContent,
        mainFields: [...FUNCTION_BUILD_OPTIONS.mainFields],
        banner: REQUIRE_BANNER,
        esbuildArgs: functionEsbuildArgs(),
        define: props.define,
        // Bundle the AWS SDK too: the version the tests ran with, not whatever the runtime ships.
        externalModules: [],
        forceDockerBundling: false,
      },
    });
    this.logGroup.grantWrite(this.role);
    // Scheduler and EventBridge invoke asynchronously: Lambda retries, then the invocation record (request,
    // error) goes to the dead-letter queue, whose depth is alarmed.
    this.fn.configureAsyncInvoke({
      onFailure: sendOnlyDestination(props.deadLetters),
      retryAttempts: ASYNC_RETRY_ATTEMPTS,
      maxEventAge: ASYNC_MAX_EVENT_AGE,
    });
  }
}

/**
 * An SQS on-failure destination whose grant is `sqs:SendMessage` alone: Lambda sends the invocation record with
 * the function's role, and needs nothing else (aws-lambda-destinations' SqsDestination also grants
 * GetQueueAttributes and GetQueueUrl, which nothing calls).
 */
export function sendOnlyDestination(queue: IQueue): IDestination {
  return {
    bind(_scope, fn) {
      queue.grant(fn, 'sqs:SendMessage');
      return { destination: queue.queueArn };
    },
  };
}
