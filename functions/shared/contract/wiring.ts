/**
 * The ONE declaration of livedrop's functions and what triggers them: HTTP routes with the roles they admit,
 * EventBridge rule patterns, schedules. The CDK stack builds Lambda, API routes, rules and schedules from it;
 * the local runtime serves the same routes, rules and schedules from it. Adding a route, rule or schedule is
 * one edit here. Pure data: functions are referred to by entry path only.
 */
/** The schedule group of the one-time gala price-drop schedules the engine creates at run time. */
export const GALA_DROP_SCHEDULE_GROUP = 'livedrop-gala-drops';
/** The function those schedules invoke. */
export const GALA_DROP_TARGET = 'apply-price-drop';

export type Role = 'viewer' | 'host' | 'checkout' | 'admin';

/** OAuth scope of a role, as carried in the JWT `scope` claim. */
export const scopeOf = (role: Role): string => `livedrop/${role}`;

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/** Requests per second (steady) and the bucket a burst may take, as API Gateway throttles. */
export interface Throttle {
  rateLimit: number;
  burstLimit: number;
}

/** The API stage's limits for every route that declares none of its own. */
export const API_DEFAULT_THROTTLE: Throttle = { rateLimit: 500, burstLimit: 1_000 };

/**
 * The API's CORS policy for the origins a deployment admits (the console's and the viewer pages'): what a
 * browser may send (the Idempotency-Key included) and which answer headers its script may read.
 */
export const API_CORS = {
  allowMethods: ['GET', 'POST', 'DELETE'],
  allowHeaders: ['authorization', 'content-type', 'idempotency-key', 'if-none-match'],
  exposeHeaders: ['location', 'retry-after', 'idempotency-key', 'idempotent-replayed', 'etag'],
  maxAgeSeconds: 3_600,
} as const;

export interface HttpTrigger {
  kind: 'http';
  method: HttpMethod;
  /** API Gateway path syntax: /deals/{dealId}. */
  path: string;
  /**
   * Called from viewers' browsers (the shop's pages, the player's overlay): the routes the deploy-time allowed
   * origins are for. API Gateway's CORS is API-wide, so in AWS this states intent; a runtime that can admit
   * origins per route reads it.
   */
  viewerFacing?: boolean;
  /**
   * Answers anyone, with or without a token: no authorizer in API Gateway (`NONE`), no check in the handler.
   * Only for what every viewer may see and a cache may share (the public live state).
   */
  public?: boolean;
  /**
   * Any of these roles may call; API Gateway refuses the others before the function runs. A public route lists
   * every role (any token is as good as none).
   */
  roles: readonly Role[];
  /** Requests per second and burst for this route, when it differs from the API default. */
  throttle?: Throttle;
}

export interface EventTrigger {
  kind: 'event';
  /** Construct id of the rule. */
  id: string;
  /** `livedrop`: our own bus; `default`: where AWS services such as IVS deliver their events. */
  bus: 'livedrop' | 'default';
  pattern: {
    source: readonly string[];
    detailType: readonly string[];
    detail?: Record<string, readonly unknown[]>;
  };
}

export interface ScheduleTrigger {
  kind: 'schedule';
  id: string;
  everyMinutes: number;
}

/** The target of one-time schedules the engine creates at run time in this group (gala price drops). */
export interface OneTimeScheduleTrigger {
  kind: 'oneTimeSchedules';
  group: string;
}

/**
 * Events of the `livedrop` bus gathered in an SQS queue (with its dead-letter queue) that the function drains
 * in batches: what coalesces a burst of events into one run. The function answers the batch's failed messages
 * (ReportBatchItemFailures), and only those are delivered again.
 */
export interface QueueTrigger {
  kind: 'queue';
  /** Construct id of the queue; the rule filling it is `<id>Rule`. */
  id: string;
  bus: 'livedrop';
  pattern: EventTrigger['pattern'];
  /** How long Lambda gathers messages before it invokes the function (unless the batch fills first). */
  batchWindowSeconds: number;
  /** At most this many messages in one invocation (Lambda also stops at a 6 MB payload). */
  batchSize: number;
  /** At most this many invocations at once (Lambda's SQS minimum is 2). */
  maxConcurrency: number;
  /** Deliveries of a message before it goes to the dead-letter queue. */
  maxReceiveCount: number;
}

export type Trigger = HttpTrigger | EventTrigger | ScheduleTrigger | OneTimeScheduleTrigger | QueueTrigger;

export type ItemAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem';

/** Where a function runs `dynamodb:Query`: the base table or one of the GSIs. */
export type QueryTarget = 'table' | 'GSI1' | 'GSI2' | 'GSI3';

export interface TableAccess {
  /** Item actions, granted on the table itself. */
  items: readonly ItemAction[];
  /** Query, granted on exactly these (the table and/or named indexes). */
  query: readonly QueryTarget[];
}

export interface FunctionDeclaration {
  /** Also the folder under functions/ holding handler.ts. */
  name: string;
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  /** Exactly the table access this function's code uses; nothing else is granted. */
  table: TableAccess;
  /** Publishes livedrop's events on the `livedrop` bus (events:PutEvents there, and EVENT_BUS_NAME). */
  publishes?: boolean;
  /** Creates or deletes one-time schedules in the gala-drop group (and may pass their role). */
  scheduling?: readonly ('create' | 'delete')[];
  /** Puts timed metadata into IVS channels (ivs:PutMetadata on channel ARNs only, never `*`). */
  putsMetadata?: boolean;
  triggers: readonly Trigger[];
}

/** Reading a deal with its figures: the deal, its shards and their tallies (no query: figures are counts kept). */
const READ_DEAL: TableAccess = { items: ['dynamodb:GetItem', 'dynamodb:BatchGetItem'], query: [] };
/** A cue also writes its audit record. */
const CUE_DEAL: TableAccess = {
  items: [...READ_DEAL.items, 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  query: [],
};
/**
 * What a route taking an Idempotency-Key adds: its request record is put, completed or taken over (update),
 * and forgotten (delete) when the use case refuses the request.
 */
const REQUEST_RECORD: readonly ItemAction[] = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
];
const ALL_ITEM_ACTIONS: readonly ItemAction[] = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
];

export const DEAL_CUE_PATTERN = { source: ['livestream.studio'], detailType: ['Deal Cue'] } as const;
export const IVS_STREAM_END_PATTERN = {
  source: ['aws.ivs'],
  detailType: ['IVS Stream State Change'],
  detail: { event_name: ['Stream End'] },
} as const;

/** Every event livedrop publishes: each may change what a stream's viewers see of its deals. */
export const LIVE_STATE_CHANGES_PATTERN = {
  source: ['livedrop'],
  detailType: [
    'Deal Started',
    'Deal Paused',
    'Deal Resumed',
    'Deal Ended',
    'Deal Extended',
    'Deal Restocked',
    'Deal Stock Changed',
    'Deal Sold Out',
    'Coupon Claimed',
    'Coupon Redeemed',
    'Coupon Released',
    'Coupon Expired',
    'Price Dropped',
  ],
} as const;

export const FUNCTIONS: readonly FunctionDeclaration[] = [
  {
    name: 'create-deal',
    description: 'POST /deals: a host creates a deal with its stock shards',
    memoryMb: 512,
    timeoutSeconds: 10,
    // Creating a deal refuses nothing the request schema let through, so its record is never forgotten.
    table: { items: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], query: [] },
    triggers: [{ kind: 'http', method: 'POST', path: '/deals', roles: ['host', 'admin'] }],
  },
  {
    name: 'get-deal',
    description: 'GET /deals/{dealId}: a deal with its stock figures',
    memoryMb: 512,
    timeoutSeconds: 10,
    table: READ_DEAL,
    triggers: [
      {
        kind: 'http',
        method: 'GET',
        path: '/deals/{dealId}',
        roles: ['viewer', 'host', 'checkout', 'admin'],
        throttle: { rateLimit: 2_000, burstLimit: 2_000 },
      },
    ],
  },
  {
    name: 'get-deal-live',
    description: 'GET /deals/{dealId}/live: the compact view every viewer overlay polls',
    memoryMb: 512,
    timeoutSeconds: 10,
    table: { items: ['dynamodb:GetItem', 'dynamodb:BatchGetItem'], query: [] },
    triggers: [
      {
        kind: 'http',
        method: 'GET',
        path: '/deals/{dealId}/live',
        roles: ['viewer', 'host', 'checkout', 'admin'],
        viewerFacing: true,
        throttle: { rateLimit: 5_000, burstLimit: 5_000 },
      },
    ],
  },
  {
    name: 'list-stream-deals',
    description: 'GET /streams/{streamId}/deals: the current deals of a stream',
    memoryMb: 512,
    timeoutSeconds: 10,
    table: { items: ['dynamodb:GetItem', 'dynamodb:BatchGetItem'], query: ['GSI1'] },
    triggers: [
      {
        kind: 'http',
        method: 'GET',
        path: '/streams/{streamId}/deals',
        roles: ['viewer', 'host', 'checkout', 'admin'],
        throttle: { rateLimit: 2_000, burstLimit: 2_000 },
      },
    ],
  },
  {
    name: 'get-stream-live',
    description: 'GET /streams/{streamId}/live: the public live state of a stream, no token needed',
    memoryMb: 512,
    timeoutSeconds: 10,
    table: { items: ['dynamodb:BatchGetItem'], query: ['GSI1'] },
    triggers: [
      {
        kind: 'http',
        method: 'GET',
        path: '/streams/{streamId}/live',
        roles: ['viewer', 'host', 'checkout', 'admin'],
        public: true,
        viewerFacing: true,
        throttle: { rateLimit: 5_000, burstLimit: 5_000 },
      },
    ],
  },
  {
    name: 'cue-deal',
    description: 'POST /deals/{dealId}/cues: start, pause, resume, end or restock a deal',
    memoryMb: 512,
    timeoutSeconds: 10,
    table: { items: [...new Set([...CUE_DEAL.items, ...REQUEST_RECORD])], query: [] },
    publishes: true,
    triggers: [{ kind: 'http', method: 'POST', path: '/deals/{dealId}/cues', roles: ['host', 'admin'] }],
  },
  {
    name: 'claim-coupon',
    description: 'POST /deals/{dealId}/claims: a viewer claims a coupon (the spike path)',
    memoryMb: 1_024,
    timeoutSeconds: 10,
    table: { items: ALL_ITEM_ACTIONS, query: ['table'] },
    publishes: true,
    triggers: [
      {
        kind: 'http',
        method: 'POST',
        path: '/deals/{dealId}/claims',
        roles: ['viewer'],
        viewerFacing: true,
        throttle: { rateLimit: 5_000, burstLimit: 5_000 },
      },
    ],
  },
  {
    name: 'get-deal-audit',
    description: 'GET /deals/{dealId}/audit: the deal’s immutable audit trail (its host or an admin)',
    memoryMb: 512,
    timeoutSeconds: 10,
    table: { items: ['dynamodb:GetItem'], query: ['table', 'GSI1'] },
    triggers: [{ kind: 'http', method: 'GET', path: '/deals/{dealId}/audit', roles: ['host', 'admin'] }],
  },
  {
    name: 'list-my-coupons',
    description: 'GET /me/coupons: the caller’s coupons, newest first',
    memoryMb: 512,
    timeoutSeconds: 10,
    table: { items: [], query: ['GSI1'] },
    triggers: [{ kind: 'http', method: 'GET', path: '/me/coupons', roles: ['viewer'], viewerFacing: true }],
  },
  {
    name: 'redeem-coupon',
    description: 'POST /coupons/{code}/redemptions: checkout redeems a coupon for an order',
    memoryMb: 512,
    timeoutSeconds: 10,
    table: {
      items: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      query: [],
    },
    publishes: true,
    triggers: [{ kind: 'http', method: 'POST', path: '/coupons/{code}/redemptions', roles: ['checkout'] }],
  },
  {
    name: 'release-coupon',
    description: 'POST /coupons/{code}/releases: checkout releases a coupon of a cancelled order',
    memoryMb: 512,
    timeoutSeconds: 10,
    table: {
      items: [
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
      ],
      query: [],
    },
    publishes: true,
    triggers: [{ kind: 'http', method: 'POST', path: '/coupons/{code}/releases', roles: ['checkout'] }],
  },
  {
    name: 'stream-cue',
    description: 'Deal Cue events from the streaming studio',
    memoryMb: 512,
    timeoutSeconds: 30,
    table: CUE_DEAL,
    publishes: true,
    triggers: [{ kind: 'event', id: 'DealCueRule', bus: 'livedrop', pattern: DEAL_CUE_PATTERN }],
  },
  {
    name: 'stream-end',
    description: 'IVS Stream End: ends the live deals of that stream',
    memoryMb: 512,
    timeoutSeconds: 60,
    table: {
      items: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      query: ['table', 'GSI1'],
    },
    publishes: true,
    triggers: [{ kind: 'event', id: 'IvsStreamEndRule', bus: 'default', pattern: IVS_STREAM_END_PATTERN }],
  },
  {
    name: 'create-price-drop',
    description: 'POST /galas/{galaId}/price-drops: schedule a gala-wide price drop',
    memoryMb: 512,
    timeoutSeconds: 10,
    // A retry finishing a drop its first attempt recorded reads it.
    table: { items: ['dynamodb:GetItem', ...REQUEST_RECORD], query: [] },
    scheduling: ['create'],
    triggers: [{ kind: 'http', method: 'POST', path: '/galas/{galaId}/price-drops', roles: ['admin'] }],
  },
  {
    name: 'list-price-drops',
    description: 'GET /galas/{galaId}/price-drops: a gala’s price drops with their results',
    memoryMb: 512,
    timeoutSeconds: 10,
    table: { items: [], query: ['table'] },
    triggers: [{ kind: 'http', method: 'GET', path: '/galas/{galaId}/price-drops', roles: ['admin'] }],
  },
  {
    name: 'cancel-price-drop',
    description: 'DELETE /galas/{galaId}/price-drops/{dropId}: cancel a drop still scheduled',
    memoryMb: 512,
    timeoutSeconds: 10,
    table: { items: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], query: [] },
    scheduling: ['delete'],
    triggers: [
      { kind: 'http', method: 'DELETE', path: '/galas/{galaId}/price-drops/{dropId}', roles: ['admin'] },
    ],
  },
  {
    name: 'apply-price-drop',
    description: 'A gala price drop’s schedule fired: apply the new price to each deal once',
    memoryMb: 512,
    timeoutSeconds: 120,
    table: { items: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], query: ['GSI3'] },
    publishes: true,
    triggers: [{ kind: 'oneTimeSchedules', group: GALA_DROP_SCHEDULE_GROUP }],
  },
  {
    name: 'sweep',
    description:
      'Every minute: expire lapsed coupons, return their stock, reconcile, end deals past their end',
    memoryMb: 1_024,
    timeoutSeconds: 300,
    table: { items: ALL_ITEM_ACTIONS, query: ['table', 'GSI2', 'GSI3'] },
    publishes: true,
    triggers: [{ kind: 'schedule', id: 'SweepSchedule', everyMinutes: 1 }],
  },
  {
    name: 'live-metadata',
    description:
      'Puts each changed stream’s live state into its IVS channels as timed metadata, 1/s per channel',
    memoryMb: 512,
    timeoutSeconds: 10,
    // The stream's deals (GSI1), each deal, and its shards and tallies in one BatchGet.
    table: { items: ['dynamodb:GetItem', 'dynamodb:BatchGetItem'], query: ['GSI1'] },
    putsMetadata: true,
    triggers: [
      {
        kind: 'queue',
        id: 'LiveStateChanges',
        bus: 'livedrop',
        pattern: LIVE_STATE_CHANGES_PATTERN,
        batchWindowSeconds: 1,
        batchSize: 10_000,
        maxConcurrency: 2,
        maxReceiveCount: 5,
      },
    ],
  },
];

export const httpRoutes = () =>
  FUNCTIONS.flatMap((fn) =>
    fn.triggers.flatMap((trigger) => (trigger.kind === 'http' ? [{ fn, trigger }] : [])),
  );

export const eventRules = () =>
  FUNCTIONS.flatMap((fn) =>
    fn.triggers.flatMap((trigger) => (trigger.kind === 'event' ? [{ fn, trigger }] : [])),
  );

export const schedules = () =>
  FUNCTIONS.flatMap((fn) =>
    fn.triggers.flatMap((trigger) => (trigger.kind === 'schedule' ? [{ fn, trigger }] : [])),
  );

export const queueTriggers = () =>
  FUNCTIONS.flatMap((fn) =>
    fn.triggers.flatMap((trigger) => (trigger.kind === 'queue' ? [{ fn, trigger }] : [])),
  );
