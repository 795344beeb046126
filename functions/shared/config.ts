import * as z from 'zod/mini';
import type { RateLimit, RateLimits } from './use-cases/rate-limits.js';

const seconds = z.optional(
  z.pipe(
    z.string().check(z.regex(/^\d+$/, 'Must be a whole number of seconds.')),
    z.transform((s) => Number(s)),
  ),
);

/** A whole number within bounds, given as a string. */
const wholeNumber = (min: number, max: number, unit: string) =>
  z.optional(
    z.pipe(
      z.string().check(
        z.regex(/^\d+$/, `Must be a whole number of ${unit}.`),
        z.refine((s) => Number(s) >= min && Number(s) <= max, `Must be between ${min} and ${max} ${unit}.`),
      ),
      z.transform((s) => Number(s)),
    ),
  );

/** `limit/windowSeconds`, e.g. `30/10`; `off` disables that limit. */
const rate = z.optional(
  z.pipe(
    z
      .string()
      .check(z.regex(/^(off|[1-9]\d{0,5}\/[1-9]\d{0,4})$/, 'Must be like 30/10 (requests/seconds) or off.')),
    z.transform((s): RateLimit | null => {
      if (s === 'off') return null;
      const [limit, windowSeconds] = s.split('/').map(Number) as [number, number];
      return { limit, windowSeconds };
    }),
  ),
);

const envSchema = z.object({
  TABLE_NAME: z.string().check(z.minLength(3)),
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  AWS_REGION: z.optional(z.string().check(z.minLength(1))),
  LIVEDROP_CLAIM_GRACE_SECONDS: seconds,
  EVENT_BUS_NAME: z.optional(z.string().check(z.minLength(1))),
  EVENTBRIDGE_ENDPOINT: z.optional(z.url()),
  SCHEDULER_ENDPOINT: z.optional(z.url()),
  IVS_ENDPOINT: z.optional(z.url()),
  PRICE_DROP_FUNCTION_ARN: z.optional(z.string().check(z.startsWith('arn:'))),
  SCHEDULER_ROLE_ARN: z.optional(z.string().check(z.startsWith('arn:'))),
  SCHEDULER_DLQ_ARN: z.optional(z.string().check(z.startsWith('arn:'))),
  LIVEDROP_RATE_CLAIMS_PER_VIEWER: rate,
  LIVEDROP_RATE_CHECKOUT_PER_VIEWER: rate,
  LIVEDROP_RATE_CHECKOUT_PER_CODE: rate,
  LIVEDROP_STORE_TIMEOUT_MS: wholeNumber(100, 60_000, 'milliseconds'),
  LIVEDROP_STORE_ATTEMPTS: wholeNumber(1, 10, 'attempts'),
});

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
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new Error(`livedrop configuration is invalid: ${problems}`);
  }
  const env_ = parsed.data;
  return {
    tableName: env_.TABLE_NAME,
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

const rateLimitsOf = (env_: z.infer<typeof envSchema>): { rateLimits?: Partial<RateLimits> } => {
  const overrides: Partial<RateLimits> = {};
  if (env_.LIVEDROP_RATE_CLAIMS_PER_VIEWER !== undefined)
    overrides.claimsPerViewer = env_.LIVEDROP_RATE_CLAIMS_PER_VIEWER;
  if (env_.LIVEDROP_RATE_CHECKOUT_PER_VIEWER !== undefined)
    overrides.checkoutPerViewer = env_.LIVEDROP_RATE_CHECKOUT_PER_VIEWER;
  if (env_.LIVEDROP_RATE_CHECKOUT_PER_CODE !== undefined)
    overrides.checkoutPerCode = env_.LIVEDROP_RATE_CHECKOUT_PER_CODE;
  return Object.keys(overrides).length === 0 ? {} : { rateLimits: overrides };
};
