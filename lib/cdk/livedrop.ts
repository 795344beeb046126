import { Duration, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  CorsHttpMethod,
  type CorsPreflightOptions,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  LogGroupLogDestination,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  API_CORS,
  API_DEFAULT_THROTTLE,
  FUNCTIONS,
  GALA_DROP_SCHEDULE_GROUP,
  GALA_DROP_TARGET,
  scopeOf,
} from '../../functions/shared/contract/wiring.js';
import { ConsoleSite, type ConsoleSiteProps } from './constructs/console-site.js';
import { EventSchemaRegistry } from './constructs/event-schema-registry.js';
import { LiveCdn, type LiveCdnProps } from './constructs/live-cdn.js';
import { LivedropFunction } from './constructs/livedrop-function.js';
import { LivedropTable } from './constructs/livedrop-table.js';
import { Messaging } from './constructs/messaging.js';
import { Observability } from './constructs/observability.js';
import { TriggerQueue } from './constructs/trigger-queue.js';

export interface LivedropProps {
  /** JWT issuer URL the API trusts, e.g. a Cognito user pool URL (`https://cognito-idp.<region>.amazonaws.com/<pool id>`). */
  readonly issuer: string;
  /**
   * The audiences a token may carry (`aud`, or Cognito's `client_id`): every app client whose tokens should pass,
   * e.g. the web client of viewers and hosts and the checkout service's client-credentials client.
   */
  readonly audience: string | readonly string[];
  /**
   * Web origins (`https://shop.example`: scheme, host and port, no path) whose pages may call the API from a
   * browser: the shop's site and player with the viewer overlay. CORS on an HTTP API is API-wide, so these
   * origins may send preflights to every route; what a call may do is still bounded by its token's scopes.
   * `http://` only for localhost. The console's origin is admitted on its own. Default: none.
   */
  readonly allowedOrigins?: readonly string[];
  /** Retention of every log group livedrop creates (functions, API access logs, console). Default one month. */
  readonly logRetention?: RetentionDays;
  /**
   * Refuse `DeleteTable` and keep the table when the stack goes. Default true; false for throw-away stacks,
   * so `cdk destroy` removes the table.
   */
  readonly deletionProtection?: boolean;
  /**
   * An existing SNS topic for livedrop's alarms (e.g. the shop's on-call topic), used as it is: its policy
   * must let this account's CloudWatch alarms publish (SNS's default policy does; otherwise see
   * `allowAlarmsToPublish`). Default: a new encrypted-in-transit topic, `AlarmTopicArn`.
   */
  readonly alarmTopic?: ITopic;
  /** The host console as a static site (S3 + CloudFront) pointed at the API. Default: none. */
  readonly consoleSite?: ConsoleSiteProps;
  /** The API's default throttle; routes with their own in the wiring keep theirs. Default 500 rps, burst 1,000. */
  readonly defaultThrottle?: ThrottleSettings;
  /** p99 claim duration, in milliseconds, that pages someone. Default 1,000. */
  readonly claimLatencyP99Ms?: number;
  /**
   * The IVS channels (ARNs) livedrop may put timed metadata into: the channels the deals name
   * (`ivsChannelArn`). Default: every channel of the stack's account and region (`channel/*`, never `*`).
   */
  readonly ivsChannelArns?: readonly string[];
  /**
   * The public live state of streams (`GET /streams/{streamId}/live`) behind CloudFront, with CORS for
   * `allowedOrigins`: `false` leaves it out; an object sets its price class or Origin Shield region. Default on.
   */
  readonly liveCdn?: boolean | LiveCdnOptions;
}

/** What a stack may set of the live view's distribution; the API's domain and the origins come from the engine. */
export type LiveCdnOptions = Pick<LiveCdnProps, 'priceClass' | 'originShieldRegion'>;

/** API default limits (the local gateway applies the same); routes that differ say so in the wiring. */
const DEFAULT_THROTTLE: ThrottleSettings = API_DEFAULT_THROTTLE;

const IVS_CHANNEL_ARN = /^arn:aws[a-z-]*:ivs:[a-z0-9-]+:\d{12}:channel\/[A-Za-z0-9]+$/;

/** Fails synth on anything but a channel's ARN: a wildcard would widen ivs:PutMetadata beyond the channels named. */
const checkChannelArn = (arn: string): string => {
  if (!IVS_CHANNEL_ARN.test(arn)) {
    throw new Error(
      `ivsChannelArns: ${JSON.stringify(arn)} is not an IVS channel ARN like arn:aws:ivs:<region>:<account>:channel/<id>`,
    );
  }
  return arn;
};

/** Also the names of the schedule groups and the dashboard; livedrop runs once per account and region. */
const NAME = 'livedrop';

/** What a browser page sends and reads: the wiring's policy, which the local gateway applies too. */
const CORS: Omit<CorsPreflightOptions, 'allowOrigins'> = {
  allowMethods: API_CORS.allowMethods.map((method) => CorsHttpMethod[method]),
  allowHeaders: [...API_CORS.allowHeaders],
  exposeHeaders: [...API_CORS.exposeHeaders],
  maxAge: Duration.seconds(API_CORS.maxAgeSeconds),
};

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Fails synth on anything a browser would never send as `Origin` (a path, a trailing slash, a wildcard), since
 * API Gateway compares origins exactly and such an entry would silently admit nothing (or everything).
 */
const checkOrigin = (origin: string): string => {
  let url: URL | undefined;
  try {
    url = new URL(origin);
  } catch {
    url = undefined;
  }
  const secure =
    url?.protocol === 'https:' || (url?.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
  if (url === undefined || url.origin !== origin || !secure || origin.includes('*')) {
    throw new Error(
      `allowedOrigins: ${JSON.stringify(origin)} is not an origin like https://shop.example (https, no path or ` +
        'trailing slash, no wildcard; http only for localhost)',
    );
  }
  return origin;
};

/**
 * A list-valued context value (`allowedOrigins`, `audience`, `ivsChannelArns`): `-c allowedOrigins=https://a.example,https://b.example`
 * gives a comma-separated string, cdk.json may hold a list; absent or blank is none.
 */
export const listFromContext = (value: unknown): string[] =>
  (Array.isArray(value) ? value.map(String) : String(value ?? '').split(','))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');

/**
 * livedrop's engine as one construct a shop can put into its own stack: stateful resources first (table, bus,
 * queues), then one function per wiring declaration with exactly its triggers (routes, rules, schedules), the
 * gala-drop scheduling, alarms, the event schema registry and, if asked for, the host console. Resource names
 * that must be unique (the `livedrop` bus, schedule groups, dashboard and schema registry) are fixed, so one
 * account and region hold one livedrop.
 */
export class Livedrop extends Construct {
  readonly api: HttpApi;
  /** The API's base URL: `https://<api id>.execute-api.<region>.amazonaws.com`. */
  readonly apiUrl: string;
  readonly stage: HttpStage;
  readonly table: ITableV2;
  /** The `livedrop` bus the engine publishes its events on (source `livedrop`); add rules to it. */
  readonly bus: IEventBus;
  readonly alarmTopic: ITopic;
  /** By wiring name (`claim-coupon`). */
  readonly functions: ReadonlyMap<string, LivedropFunction>;
  readonly messaging: Messaging;
  readonly observability: Observability;
  readonly schemaRegistry: EventSchemaRegistry;
  /** The group of the one-time gala price-drop schedules, and the role those schedules run as. */
  readonly galaDropScheduleGroup: ScheduleGroup;
  readonly galaDropSchedulerRole: Role;
  readonly consoleSite?: ConsoleSite;
  /** Every origin the API's CORS admits: the console's (if any), then `allowedOrigins`. */
  readonly corsOrigins: readonly string[];
  /** The queues of the wiring's queue triggers (with their dead-letter queues and rules), by trigger id. */
  readonly triggerQueues: ReadonlyMap<string, TriggerQueue>;
  /** What ivs:PutMetadata is granted on: `ivsChannelArns`, or the account's and region's channels. */
  readonly ivsChannelArns: readonly string[];
  /** `named`: the channels of `ivsChannelArns` only; `account`: every channel of the account and region. */
  readonly ivsChannelScope: 'named' | 'account';
  /** The live state's distribution, unless `liveCdn: false`. */
  readonly liveCdn?: LiveCdn;

  constructor(scope: Construct, id: string, props: LivedropProps) {
    super(scope, id);
    const data = new LivedropTable(this, 'Data', {
      ...(props.deletionProtection === undefined ? {} : { deletionProtection: props.deletionProtection }),
    });
    this.table = data.table;
    const messaging = new Messaging(this, 'Messaging', {
      ...(props.alarmTopic ? { alarmTopic: props.alarmTopic } : {}),
    });
    this.messaging = messaging;
    this.bus = messaging.bus;
    this.alarmTopic = messaging.alarmTopic;
    const defaultBus = EventBus.fromEventBusName(this, 'DefaultBus', 'default');

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // The console's origin must exist before the API, whose CORS admits it.
    const allowed = (props.allowedOrigins ?? []).map((origin) =>
      Token.isUnresolved(origin) ? origin : checkOrigin(origin),
    );
    // The player pages admitted by CORS are the ones that may embed the viewer overlay, unless said otherwise.
    const consoleSite = props.consoleSite
      ? new ConsoleSite(this, 'Console', {
          overlayEmbedOrigins: allowed,
          ...props.consoleSite,
          ...(props.logRetention === undefined ? {} : { logRetention: props.logRetention }),
        })
      : undefined;
    if (consoleSite) this.consoleSite = consoleSite;
    this.corsOrigins = [...new Set([...(consoleSite ? [consoleSite.origin] : []), ...allowed])];
    const api = new HttpApi(this, 'Api', {
      apiName: NAME,
      description: 'livedrop: deals, claims and checkout',
      createDefaultStage: false,
      defaultAuthorizer: new HttpJwtAuthorizer('Jwt', props.issuer, {
        jwtAudience: typeof props.audience === 'string' ? [props.audience] : [...props.audience],
      }),
      // API Gateway answers preflights itself, before the authorizer, for the whole API: see docs/deploy.md.
      ...(this.corsOrigins.length > 0
        ? { corsPreflight: { ...CORS, allowOrigins: [...this.corsOrigins] } }
        : {}),
    });
    this.api = api;
    this.apiUrl = api.apiEndpoint;
    this.stage = new HttpStage(this, 'ApiStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      detailedMetricsEnabled: true,
      throttle: props.defaultThrottle ?? DEFAULT_THROTTLE,
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
    const schedulesGroup = new ScheduleGroup(this, 'Schedules', { scheduleGroupName: NAME });
    const functions = new Map<string, LivedropFunction>();
    this.functions = functions;
    const triggerQueues = new Map<string, TriggerQueue>();
    this.triggerQueues = triggerQueues;
    this.ivsChannelScope = props.ivsChannelArns ? 'named' : 'account';
    this.ivsChannelArns = props.ivsChannelArns
      ? props.ivsChannelArns.map((arn) => (Token.isUnresolved(arn) ? arn : checkChannelArn(arn)))
      : [Stack.of(this).formatArn({ service: 'ivs', resource: 'channel', resourceName: '*' })];

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
      if (declaration.putsMetadata) fn.bindIvsChannels(this.ivsChannelArns);
      functions.set(declaration.name, fn);

      for (const trigger of declaration.triggers) {
        if (trigger.kind === 'http') {
          api.addRoutes({
            path: trigger.path,
            methods: [HttpMethod[trigger.method]],
            integration: new HttpLambdaIntegration(`${toConstructId(declaration.name)}Integration`, fn.fn),
            // A public route answers without a token: no authorizer, so no scopes either.
            ...(trigger.public
              ? { authorizer: new HttpNoneAuthorizer() }
              : { authorizationScopes: trigger.roles.map(scopeOf) }),
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
        } else if (trigger.kind === 'queue') {
          triggerQueues.set(
            trigger.id,
            new TriggerQueue(this, trigger.id, {
              trigger,
              bus: messaging.bus,
              fn: fn.fn,
              timeoutSeconds: declaration.timeoutSeconds,
              eventsDeadLetterQueue: messaging.eventsDeadLetterQueue,
            }),
          );
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
      (this.stage.node.defaultChild as CfnStage).addPropertyOverride('RouteSettings', routeSettings);
    }

    // Gala price drops are one-time schedules the engine creates at run time, in their own group, run by a
    // role that may invoke only their target and write only to the schedules' dead-letter queue.
    const galaDrops = new ScheduleGroup(this, 'GalaDrops', { scheduleGroupName: GALA_DROP_SCHEDULE_GROUP });
    this.galaDropScheduleGroup = galaDrops;
    const dropTarget = this.requireFunction(GALA_DROP_TARGET);
    const dropRole = new Role(this, 'GalaDropSchedulerRole', {
      description: 'EventBridge Scheduler runs gala price-drop schedules as this role',
      // Only schedules of this group may act as it (confused-deputy guard), not any schedule of the account.
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': Stack.of(this).account,
            'aws:SourceArn': galaDrops.scheduleGroupArn,
          },
        },
      }),
    });
    this.galaDropSchedulerRole = dropRole;
    dropRole.addToPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [dropTarget.fn.functionArn] }),
    );
    dropRole.addToPolicy(
      new PolicyStatement({
        actions: ['sqs:SendMessage'],
        resources: [messaging.schedulesDeadLetterQueue.queueArn],
      }),
    );
    for (const fn of functions.values()) {
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

    this.observability = new Observability(this, 'Observability', {
      functions: [...functions.values()],
      claimFunction: this.requireFunction('claim-coupon'),
      deadLetterQueues: [
        messaging.eventsDeadLetterQueue,
        messaging.schedulesDeadLetterQueue,
        ...[...triggerQueues.values()].map((queue) => queue.deadLetterQueue),
      ],
      triggerQueues: [...triggerQueues.values()].map((queue) => queue.queue),
      table: data.table,
      alarmTopic: messaging.alarmTopic,
      ...(props.claimLatencyP99Ms === undefined ? {} : { claimLatencyP99Ms: props.claimLatencyP99Ms }),
    });
    this.schemaRegistry = new EventSchemaRegistry(this, 'EventSchemas', { registryName: NAME });

    if (props.liveCdn !== false) {
      this.liveCdn = new LiveCdn(this, 'LiveCdn', {
        ...(props.liveCdn === true || props.liveCdn === undefined ? {} : props.liveCdn),
        // https://<api id>.execute-api.<region>.<suffix>, without the scheme.
        apiDomain: Fn.select(2, Fn.split('/', api.apiEndpoint)),
        // The viewers' pages, and the console's origin where the viewer overlay beside it lives (it polls here;
        // the host console itself never reads the live state).
        allowedOrigins: [...new Set([...allowed, ...(consoleSite ? [consoleSite.origin] : [])])],
      });
    }

    consoleSite?.deploy({
      apiUrl: api.apiEndpoint,
      ...(this.liveCdn === undefined ? {} : { liveUrl: this.liveCdn.liveUrl }),
    });
  }

  /** The function of a wiring declaration; fails on a name the wiring does not declare. */
  requireFunction(name: string): LivedropFunction {
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
