import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { Construct } from 'constructs';
import {
  FUNCTIONS,
  GALA_DROP_SCHEDULE_GROUP,
  GALA_DROP_TARGET,
  scopeOf,
} from '../../functions/shared/contract/wiring.js';
import { ConsoleSite, type ConsoleSiteProps } from './constructs/console-site.js';
import { LivedropFunction } from './constructs/livedrop-function.js';
import { LivedropTable } from './constructs/livedrop-table.js';
import { Messaging } from './constructs/messaging.js';
import { Observability } from './constructs/observability.js';

export interface LivedropStackProps extends StackProps {
  /** JWT issuer URL the API trusts (e.g. a Cognito user pool URL). */
  issuer: string;
  /** Audience (client id) the tokens must carry. */
  audience: string;
  deletionProtection?: boolean;
  logRetention?: RetentionDays;
  /** The host console as a static site (S3 + CloudFront) pointed at the API; none when absent. */
  consoleSite?: ConsoleSiteProps;
}

/** API default limits; routes that differ say so in the wiring. */
const DEFAULT_THROTTLE = { rateLimit: 500, burstLimit: 1_000 };

/**
 * The deployable engine, composed from the wiring declaration: stateful resources first (table, bus, queues),
 * then one function per declaration with exactly its triggers (routes, rules, schedules), then alarms.
 */
export class LivedropStack extends Stack {
  readonly functions = new Map<string, LivedropFunction>();
  readonly messaging: Messaging;
  readonly consoleSite?: ConsoleSite;

  constructor(scope: Construct, id: string, props: LivedropStackProps) {
    super(scope, id, props);
    const data = new LivedropTable(this, 'Data', {
      ...(props.deletionProtection === undefined ? {} : { deletionProtection: props.deletionProtection }),
    });
    const messaging = new Messaging(this, 'Messaging');
    this.messaging = messaging;
    const defaultBus = EventBus.fromEventBusName(this, 'DefaultBus', 'default');

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // The console's origin must exist before the API, whose CORS admits that origin and no other.
    const consoleSite = props.consoleSite
      ? new ConsoleSite(this, 'Console', {
          ...props.consoleSite,
          ...(props.logRetention === undefined ? {} : { logRetention: props.logRetention }),
        })
      : undefined;
    this.consoleSite = consoleSite;
    const api = new HttpApi(this, 'Api', {
      apiName: 'livedrop',
      description: 'livedrop: deals, claims and checkout',
      createDefaultStage: false,
      defaultAuthorizer: new HttpJwtAuthorizer('Jwt', props.issuer, { jwtAudience: [props.audience] }),
      // API Gateway answers the preflight itself (before the authorizer), for the console's origin only.
      ...(consoleSite
        ? {
            corsPreflight: {
              allowOrigins: [consoleSite.origin],
              allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.DELETE],
              allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
              exposeHeaders: ['location', 'retry-after'],
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });
    const stage = new HttpStage(this, 'ApiStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      detailedMetricsEnabled: true,
      throttle: DEFAULT_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            sub: '$context.authorizer.claims.sub',
            authorizerError: '$context.authorizer.error',
            sourceIp: '$context.identity.sourceIp',
          }),
        ),
      },
    });
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    const schedulesGroup = new ScheduleGroup(this, 'Schedules', { scheduleGroupName: 'livedrop' });

    for (const declaration of FUNCTIONS) {
      // Rules and schedules invoke Lambda asynchronously: their own DLQs only catch what they could not
      // deliver, so a run that throws needs the function's DLQ once Lambda's retries are spent.
      const kinds = new Set(declaration.triggers.map((trigger) => trigger.kind));
      const deadLetterQueue = kinds.has('event')
        ? messaging.eventsDeadLetterQueue
        : kinds.has('schedule') || kinds.has('oneTimeSchedules')
          ? messaging.schedulesDeadLetterQueue
          : undefined;
      const fn = new LivedropFunction(this, toConstructId(declaration.name), {
        declaration,
        ...(props.logRetention === undefined ? {} : { logRetention: props.logRetention }),
        ...(deadLetterQueue ? { deadLetterQueue } : {}),
      });
      fn.bindTable(data.table);
      if (declaration.publishes) fn.bindBus(messaging.bus);
      this.functions.set(declaration.name, fn);

      for (const trigger of declaration.triggers) {
        if (trigger.kind === 'http') {
          api.addRoutes({
            path: trigger.path,
            methods: [HttpMethod[trigger.method]],
            integration: new HttpLambdaIntegration(`${toConstructId(declaration.name)}Integration`, fn.fn),
            authorizationScopes: trigger.roles.map(scopeOf),
          });
          if (trigger.throttle) {
            routeSettings[`${trigger.method} ${trigger.path}`] = {
              ThrottlingRateLimit: trigger.throttle.rateLimit,
              ThrottlingBurstLimit: trigger.throttle.burstLimit,
            };
          }
        } else if (trigger.kind === 'event') {
          new Rule(this, trigger.id, {
            eventBus: trigger.bus === 'livedrop' ? messaging.bus : defaultBus,
            eventPattern: {
              source: [...trigger.pattern.source],
              detailType: [...trigger.pattern.detailType],
              ...(trigger.pattern.detail ? { detail: trigger.pattern.detail } : {}),
            },
            targets: [
              new LambdaFunction(fn.fn, {
                deadLetterQueue: messaging.eventsDeadLetterQueue,
                retryAttempts: 8,
                maxEventAge: Duration.hours(2),
              }),
            ],
          });
        } else if (trigger.kind === 'schedule') {
          new Schedule(this, trigger.id, {
            scheduleGroup: schedulesGroup,
            description: declaration.description,
            schedule: ScheduleExpression.rate(Duration.minutes(trigger.everyMinutes)),
            target: new LambdaInvoke(fn.fn, {
              deadLetterQueue: messaging.schedulesDeadLetterQueue,
              retryAttempts: 2,
              maxEventAge: Duration.minutes(5),
            }),
          });
        }
      }
    }
    if (Object.keys(routeSettings).length > 0) {
      (stage.node.defaultChild as CfnStage).addPropertyOverride('RouteSettings', routeSettings);
    }

    // Gala price drops are one-time schedules the engine creates at run time, in their own group, run by a
    // role that may invoke only their target and write only to the schedules' dead-letter queue.
    const galaDrops = new ScheduleGroup(this, 'GalaDrops', { scheduleGroupName: GALA_DROP_SCHEDULE_GROUP });
    const dropTarget = this.requireFunction(GALA_DROP_TARGET);
    const dropRole = new Role(this, 'GalaDropSchedulerRole', {
      description: 'EventBridge Scheduler runs gala price-drop schedules as this role',
      // Only schedules of this group may act as it (confused-deputy guard), not any schedule of the account.
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account, 'aws:SourceArn': galaDrops.scheduleGroupArn },
        },
      }),
    });
    dropRole.addToPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [dropTarget.fn.functionArn] }),
    );
    dropRole.addToPolicy(
      new PolicyStatement({
        actions: ['sqs:SendMessage'],
        resources: [messaging.schedulesDeadLetterQueue.queueArn],
      }),
    );
    for (const fn of this.functions.values()) {
      const scheduling = fn.declaration.scheduling ?? [];
      if (scheduling.length === 0) continue;
      fn.bindScheduler({
        group: galaDrops,
        actions: scheduling,
        role: dropRole,
        target: dropTarget.fn,
        deadLetterQueue: messaging.schedulesDeadLetterQueue,
      });
    }

    new Observability(this, 'Observability', {
      functions: [...this.functions.values()],
      claimFunction: this.requireFunction('claim-coupon'),
      deadLetterQueues: [messaging.eventsDeadLetterQueue, messaging.schedulesDeadLetterQueue],
      table: data.table,
      alarmTopic: messaging.alarmTopic,
    });

    if (consoleSite) {
      consoleSite.deploy({ apiUrl: api.apiEndpoint });
      new CfnOutput(this, 'ConsoleUrl', { value: consoleSite.origin });
    }

    new CfnOutput(this, 'ApiUrl', { value: api.apiEndpoint });
    new CfnOutput(this, 'BusName', { value: messaging.bus.eventBusName });
    new CfnOutput(this, 'TableName', { value: data.table.tableName });
    new CfnOutput(this, 'AlarmTopicArn', { value: messaging.alarmTopic.topicArn });
    new CfnOutput(this, 'GalaDropScheduleGroup', { value: galaDrops.scheduleGroupName });
  }

  private requireFunction(name: string): LivedropFunction {
    const fn = this.functions.get(name);
    if (!fn) throw new Error(`the wiring declares no function ${name}`);
    return fn;
  }
}

const toConstructId = (name: string) =>
  name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
