import * as z from 'zod/mini';

const seconds = z.optional(
  z.pipe(
    z.string().check(z.regex(/^\d+$/, 'Must be a whole number of seconds.')),
    z.transform((s) => Number(s)),
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
  PRICE_DROP_FUNCTION_ARN: z.optional(z.string().check(z.startsWith('arn:'))),
  SCHEDULER_ROLE_ARN: z.optional(z.string().check(z.startsWith('arn:'))),
  SCHEDULER_DLQ_ARN: z.optional(z.string().check(z.startsWith('arn:'))),
});

export interface Config {
  tableName: string;
  endpoint?: string;
  region?: string;
  claimGraceMs?: number;
  /** Absent: the engine's events are not published (a deployment without a bus). */
  eventBusName?: string;
  eventBridgeEndpoint?: string;
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
    ...(env_.LIVEDROP_CLAIM_GRACE_SECONDS === undefined
      ? {}
      : { claimGraceMs: env_.LIVEDROP_CLAIM_GRACE_SECONDS * 1000 }),
  };
};
