import type { RateLimit, RateLimits } from './use-cases/rate-limits.js';

/**
 * The function's settings from its environment, checked by hand rather than with zod: they are the stack's own
 * output, not a caller's input, and a zod schema of sixteen settings cost the claim's cold start about 3 ms.
 */
type Check<T> = (value: string) => T | { problem: string };

const problem = (text: string) => ({ problem: text });

const nonEmpty =
  (min = 1): Check<string> =>
  (value) =>
    value.length >= min ? value : problem(`Must be at least ${min} characters.`);

const url: Check<string> = (value) => {
  try {
    new URL(value);
    return value;
  } catch {
    return problem('Must be a URL.');
  }
};

const arn: Check<string> = (value) => (value.startsWith('arn:') ? value : problem('Must start with arn:.'));

/** A whole number within bounds, given as a string. */
const wholeNumber =
  (min: number, max: number, unit: string): Check<number> =>
  (value) => {
    if (!/^\d+$/.test(value)) return problem(`Must be a whole number of ${unit}.`);
    const n = Number(value);
    return n >= min && n <= max ? n : problem(`Must be between ${min} and ${max} ${unit}.`);
  };

/** `limit/windowSeconds`, e.g. `30/10`; `off` disables that limit. */
const rate: Check<RateLimit | null> = (value) => {
  if (value === 'off') return null;
  if (!/^[1-9]\d{0,5}\/[1-9]\d{0,4}$/.test(value))
    return problem('Must be like 30/10 (requests/seconds) or off.');
  const [limit, windowSeconds] = value.split('/').map(Number) as [number, number];
  return { limit, windowSeconds };
};

const SETTINGS = {
  TABLE_NAME: nonEmpty(3),
  DYNAMODB_ENDPOINT: url,
  AWS_REGION: nonEmpty(),
  LIVEDROP_CLAIM_GRACE_SECONDS: wholeNumber(0, Number.MAX_SAFE_INTEGER, 'seconds'),
  EVENT_BUS_NAME: nonEmpty(),
  EVENTBRIDGE_ENDPOINT: url,
  SCHEDULER_ENDPOINT: url,
  IVS_ENDPOINT: url,
  PRICE_DROP_FUNCTION_ARN: arn,
  SCHEDULER_ROLE_ARN: arn,
  SCHEDULER_DLQ_ARN: arn,
  LIVEDROP_RATE_CLAIMS_PER_VIEWER: rate,
  LIVEDROP_RATE_CHECKOUT_PER_VIEWER: rate,
  LIVEDROP_RATE_CHECKOUT_PER_CODE: rate,
  LIVEDROP_STORE_TIMEOUT_MS: wholeNumber(100, 60_000, 'milliseconds'),
  LIVEDROP_STORE_ATTEMPTS: wholeNumber(1, 10, 'attempts'),
} satisfies Record<string, Check<unknown>>;

type Settings = {
  [K in keyof typeof SETTINGS]?: Exclude<ReturnType<(typeof SETTINGS)[K]>, { problem: string }>;
};

const isProblem = (value: unknown): value is { problem: string } =>
  typeof value === 'object' && value !== null && 'problem' in value;

/** Every setting given, checked; every problem named at once. */
const readSettings = (env: NodeJS.ProcessEnv): Settings => {
  const settings: Record<string, unknown> = {};
  const problems: string[] = [];
  if (env.TABLE_NAME === undefined) problems.push('TABLE_NAME: Required.');
  for (const [name, check] of Object.entries(SETTINGS) as [string, Check<unknown>][]) {
    const raw = env[name];
    if (raw === undefined) continue;
    const value = check(raw);
    if (isProblem(value)) problems.push(`${name}: ${value.problem}`);
    else settings[name] = value;
  }
  if (problems.length > 0) throw new Error(`livedrop configuration is invalid: ${problems.join('; ')}`);
  return settings as Settings;
};

export interface Config {
  tableName: string;
  endpoint?: string;
  region?: string;
  claimGraceMs?: number;
  /** Overrides of the engine's default rate limits (null: that limit is off). */
  rateLimits?: Partial<RateLimits>;
  /** Absent: the engine's events are not published (a deployment without a bus). */
  eventBusName?: string;
  eventBridgeEndpoint?: string;
  /** Absent: Amazon IVS in the region; locally, the runtime's IVS stand-in. */
  ivsEndpoint?: string;
  /** How long one store request may wait for its answer, and how many attempts the SDK makes. */
  store?: { timeoutMs?: number; attempts?: number };
  /** Present for the functions that create or cancel gala price-drop schedules. */
  scheduler?: {
    endpoint?: string;
    priceDropFunctionArn: string;
    roleArn: string;
    deadLetterQueueArn?: string;
  };
}

/** Parsed once per container; a missing or malformed setting stops the cold start with a clear message. */
export const loadConfig = (env: NodeJS.ProcessEnv = process.env): Config => {
  const env_ = readSettings(env);
  return {
    tableName: env_.TABLE_NAME as string,
    ...(env_.DYNAMODB_ENDPOINT === undefined ? {} : { endpoint: env_.DYNAMODB_ENDPOINT }),
    ...(env_.AWS_REGION === undefined ? {} : { region: env_.AWS_REGION }),
    ...(env_.EVENT_BUS_NAME === undefined ? {} : { eventBusName: env_.EVENT_BUS_NAME }),
    ...(env_.PRICE_DROP_FUNCTION_ARN === undefined || env_.SCHEDULER_ROLE_ARN === undefined
      ? {}
      : {
          scheduler: {
            priceDropFunctionArn: env_.PRICE_DROP_FUNCTION_ARN,
            roleArn: env_.SCHEDULER_ROLE_ARN,
            ...(env_.SCHEDULER_ENDPOINT === undefined ? {} : { endpoint: env_.SCHEDULER_ENDPOINT }),
            ...(env_.SCHEDULER_DLQ_ARN === undefined ? {} : { deadLetterQueueArn: env_.SCHEDULER_DLQ_ARN }),
          },
        }),
    ...(env_.EVENTBRIDGE_ENDPOINT === undefined ? {} : { eventBridgeEndpoint: env_.EVENTBRIDGE_ENDPOINT }),
    ...(env_.IVS_ENDPOINT === undefined ? {} : { ivsEndpoint: env_.IVS_ENDPOINT }),
    ...rateLimitsOf(env_),
    ...(env_.LIVEDROP_STORE_TIMEOUT_MS === undefined && env_.LIVEDROP_STORE_ATTEMPTS === undefined
      ? {}
      : {
          store: {
            ...(env_.LIVEDROP_STORE_TIMEOUT_MS === undefined
              ? {}
              : { timeoutMs: env_.LIVEDROP_STORE_TIMEOUT_MS }),
            ...(env_.LIVEDROP_STORE_ATTEMPTS === undefined ? {} : { attempts: env_.LIVEDROP_STORE_ATTEMPTS }),
          },
        }),
    ...(env_.LIVEDROP_CLAIM_GRACE_SECONDS === undefined
      ? {}
      : { claimGraceMs: env_.LIVEDROP_CLAIM_GRACE_SECONDS * 1000 }),
  };
};

const rateLimitsOf = (env_: Settings): { rateLimits?: Partial<RateLimits> } => {
  const overrides: Partial<RateLimits> = {};
  if (env_.LIVEDROP_RATE_CLAIMS_PER_VIEWER !== undefined)
    overrides.claimsPerViewer = env_.LIVEDROP_RATE_CLAIMS_PER_VIEWER;
  if (env_.LIVEDROP_RATE_CHECKOUT_PER_VIEWER !== undefined)
    overrides.checkoutPerViewer = env_.LIVEDROP_RATE_CHECKOUT_PER_VIEWER;
  if (env_.LIVEDROP_RATE_CHECKOUT_PER_CODE !== undefined)
    overrides.checkoutPerCode = env_.LIVEDROP_RATE_CHECKOUT_PER_CODE;
  return Object.keys(overrides).length === 0 ? {} : { rateLimits: overrides };
};
