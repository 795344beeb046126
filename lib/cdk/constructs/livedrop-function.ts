import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Effect, type IRole, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type IFunction, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FunctionDeclaration, TableAccess } from '../../../functions/shared/contract/wiring.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** ESM bundles that include the AWS SDK need `require` for its CommonJS dependencies. */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __livedropCreateRequire } from 'node:module'; const require = __livedropCreateRequire(import.meta.url);";

/**
 * How every function is bundled by esbuild, in one place: the stack reads it and so does the cold-start
 * bench (lib/bench/cold-start.ts), so what is measured is what is deployed. `bundleAwsSDK`: nothing is
 * external, the SDK included.
 */
export const BUNDLE_SETTINGS = {
  format: OutputFormat.ESM,
  target: 'node24',
  minify: true,
  sourcemap: true,
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  bundleAwsSDK: true,
} as const;

export interface LivedropFunctionProps {
  declaration: FunctionDeclaration;
  logRetention?: RetentionDays;
  /** Where asynchronous invocations go after Lambda's retries are spent (event targets). */
  deadLetterQueue?: IQueue;
}

/**
 * One Lambda with livedrop's defaults, so no function differs by accident: arm64, Node.js 24, ESM, the AWS
 * SDK bundled and minified (a bundled SDK imports faster than the runtime's copy), source maps, its own log
 * group with bounded retention and JSON logs, the logger's settings, and a role that starts with nothing but
 * writing its own logs. Everything else it may touch is granted by a bind* method together with its env var.
 */
export class LivedropFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly declaration: FunctionDeclaration;

  constructor(scope: Construct, id: string, props: LivedropFunctionProps) {
    super(scope, id);
    const { declaration } = props;
    this.declaration = declaration;
    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `livedrop ${declaration.name}: its own logs, plus what bind* grants`,
    });
    role.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    this.fn = new NodejsFunction(this, 'Function', {
      entry: `${ROOT}functions/${declaration.name}/handler.ts`,
      handler: 'handler',
      projectRoot: ROOT,
      depsLockFilePath: `${ROOT}package-lock.json`,
      description: declaration.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: declaration.memoryMb,
      timeout: Duration.seconds(declaration.timeoutSeconds),
      role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      ...(props.deadLetterQueue ? { deadLetterQueue: props.deadLetterQueue, retryAttempts: 2 } : {}),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        LIVEDROP_SERVICE_NAME: 'livedrop',
        LIVEDROP_METRICS_NAMESPACE: 'livedrop',
        LIVEDROP_LOG_LEVEL: 'INFO',
      },
      bundling: {
        format: BUNDLE_SETTINGS.format,
        target: BUNDLE_SETTINGS.target,
        mainFields: [...BUNDLE_SETTINGS.mainFields],
        minify: BUNDLE_SETTINGS.minify,
        sourceMap: BUNDLE_SETTINGS.sourcemap,
        bundleAwsSDK: BUNDLE_SETTINGS.bundleAwsSDK,
        banner: BUNDLE_SETTINGS.banner,
      },
    });
  }

  /**
   * Lets the function create and/or delete one-time schedules in `group` only, and hand Scheduler `role`
   * (PassRole, to Scheduler only); sets the env the scheduler adapter reads.
   */
  bindScheduler(binding: {
    group: IScheduleGroup;
    actions: readonly ('create' | 'delete')[];
    role: IRole;
    target: IFunction;
    deadLetterQueue: IQueue;
  }): void {
    const stack = Stack.of(this);
    const schedules = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${binding.group.scheduleGroupName}/*`,
    });
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: binding.actions.map((action) =>
          action === 'create' ? 'scheduler:CreateSchedule' : 'scheduler:DeleteSchedule',
        ),
        resources: [schedules],
      }),
    );
    if (binding.actions.includes('create')) {
      this.fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [binding.role.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        }),
      );
      this.fn.addEnvironment('PRICE_DROP_FUNCTION_ARN', binding.target.functionArn);
      this.fn.addEnvironment('SCHEDULER_ROLE_ARN', binding.role.roleArn);
      this.fn.addEnvironment('SCHEDULER_DLQ_ARN', binding.deadLetterQueue.queueArn);
    } else {
      // Cancelling needs no target, but the adapter is configured the same way everywhere.
      this.fn.addEnvironment('PRICE_DROP_FUNCTION_ARN', binding.target.functionArn);
      this.fn.addEnvironment('SCHEDULER_ROLE_ARN', binding.role.roleArn);
    }
  }

  /**
   * Grants ivs:PutMetadata on these channels only (ARNs of channels, or the account's and region's
   * `channel/*`), never on `*`: no other IVS action, no other kind of IVS resource.
   */
  bindIvsChannels(channelArns: readonly string[]): void {
    if (channelArns.length === 0) throw new Error('ivsChannelArns: name at least one IVS channel');
    this.fn.addToRolePolicy(
      new PolicyStatement({ actions: ['ivs:PutMetadata'], resources: [...channelArns] }),
    );
  }

  /** Sets EVENT_BUS_NAME and grants events:PutEvents on that bus only, together. */
  bindBus(bus: IEventBus): void {
    this.fn.addEnvironment('EVENT_BUS_NAME', bus.eventBusName);
    this.fn.addToRolePolicy(
      new PolicyStatement({ actions: ['events:PutEvents'], resources: [bus.eventBusArn] }),
    );
  }

  /**
   * Sets TABLE_NAME and grants exactly the access the wiring declares for this function, in one call so
   * the two cannot drift apart: item actions on the table, Query on the table and/or the named indexes.
   */
  bindTable(table: ITableV2): void {
    const access: TableAccess = this.declaration.table;
    this.fn.addEnvironment('TABLE_NAME', table.tableName);
    if (access.items.length > 0) {
      this.fn.addToRolePolicy(
        new PolicyStatement({ actions: [...access.items], resources: [table.tableArn] }),
      );
    }
    if (access.query.length > 0) {
      const resources = access.query.map((target) =>
        target === 'table' ? table.tableArn : `${table.tableArn}/index/${target}`,
      );
      this.fn.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:Query'], resources }));
    }
  }
}
