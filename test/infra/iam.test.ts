/**
 * Least privilege, read against the wiring: each function's role allows exactly the DynamoDB access its
 * declaration lists (item actions on the table, Query on the named table/indexes), writes only its own logs,
 * creates or deletes gala-drop schedules only if it declares so (and only in their group), and nothing else;
 * and each function runs with the defaults every livedrop Lambda shares.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FUNCTIONS,
  type FunctionDeclaration,
  GALA_DROP_SCHEDULE_GROUP,
  GALA_DROP_TARGET,
} from '../../functions/shared/contract/wiring.js';
import { DEFAULT_ENGINE_OPTIONS } from '../../functions/shared/use-cases/engine.js';
import {
  ACCOUNT_IVS_CHANNELS,
  allStatements,
  arnOf,
  asList,
  functionIds,
  type Json,
  logicalIdOf,
  onlyResourceOfType,
  pointsAt,
  ref,
  resource,
  resourcesOfType,
  roleStatements,
  type Synthesised,
  synthLivedrop,
} from './support.js';

let synthesised: Synthesised;
let tableId: string;
let busId: string;
let dropRoleId: string;
let schedulesDeadLetterQueueId: string;

beforeAll(() => {
  synthesised = synthLivedrop();
  [tableId] = onlyResourceOfType(synthesised.template, 'AWS::DynamoDB::GlobalTable');
  [busId] = onlyResourceOfType(synthesised.template, 'AWS::Events::EventBus');
  dropRoleId = logicalIdOf(synthesised.stack, synthesised.stack.engine.galaDropSchedulerRole);
  schedulesDeadLetterQueueId = logicalIdOf(
    synthesised.stack,
    synthesised.stack.engine.messaging.schedulesDeadLetterQueue,
  );
});

/** Every schedule in the gala-drop group, and only there: the ARN the scheduling functions may touch. */
const GALA_DROP_SCHEDULES = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':scheduler:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:schedule/${GALA_DROP_SCHEDULE_GROUP}/*`,
    ],
  ],
};

/** What an SQS event source grants its function on the queue it drains. */
const QUEUE_CONSUMER_ACTIONS = [
  'sqs:ReceiveMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueUrl',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
];

const SCHEDULING = FUNCTIONS.filter(({ scheduling }) => (scheduling ?? []).length > 0);

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The queue a function's failed asynchronous invocations go to, if it has one. */
const deadLetterQueueOf = (name: string): string | undefined =>
  pointsAt(
    (
      resource(synthesised.template, functionIds(synthesised, name).function).Properties.DeadLetterConfig as
        | Json
        | undefined
    )?.TargetArn,
  );

/** The queues of the function's queue triggers. */
const ownTriggerQueueIds = (name: string): string[] =>
  FUNCTIONS.filter((declaration) => declaration.name === name).flatMap((declaration) =>
    declaration.triggers.flatMap((trigger) => {
      const queue =
        trigger.kind === 'queue' ? synthesised.stack.engine.triggerQueues.get(trigger.id) : undefined;
      return queue ? [logicalIdOf(synthesised.stack, queue.queue)] : [];
    }),
  );

/** A statement resource in the wiring's words: `table`, `index/GSI2`, `own log group`, `own DLQ`. */
const describeResource = (value: unknown, name: string): string => {
  const ownDeadLetterQueueId = deadLetterQueueOf(name);
  if (same(value, arnOf(tableId))) return 'table';
  if (same(value, arnOf(functionIds(synthesised, name).logGroup))) return 'own log group';
  if (ownDeadLetterQueueId !== undefined && same(value, arnOf(ownDeadLetterQueueId))) return 'own DLQ';
  if (same(value, arnOf(busId))) return 'livedrop bus';
  if (same(value, GALA_DROP_SCHEDULES)) return 'gala-drop schedules';
  if (same(value, arnOf(dropRoleId))) return 'gala-drop scheduler role';
  if (same(value, ACCOUNT_IVS_CHANNELS)) return 'IVS channels of the account';
  if (ownTriggerQueueIds(name).some((id) => same(value, arnOf(id)))) return 'own trigger queue';
  // `${tableArn}/index/GSI2` synthesises to { "Fn::Join": ["", [<table Arn>, "/index/GSI2"]] }.
  const joined = (value as Json | null)?.['Fn::Join'];
  if (Array.isArray(joined) && joined[0] === '' && Array.isArray(joined[1]) && joined[1].length === 2) {
    const [arn, suffix] = joined[1] as [unknown, unknown];
    const index = typeof suffix === 'string' ? /^\/index\/([^/*]+)$/.exec(suffix) : null;
    if (same(arn, arnOf(tableId)) && index) return `index/${index[1]}`;
  }
  return JSON.stringify(value);
};

/** Every (action, resource) pair the function's role allows, e.g. `dynamodb:Query on index/GSI2`. */
const grants = (name: string): string[] => {
  return roleStatements(synthesised.template, functionIds(synthesised, name).role).flatMap((statement) => {
    expect(statement.Effect, `${name}: only Allow statements are expected on a function role`).toBe('Allow');
    return asList(statement.Action).flatMap((action) =>
      asList(statement.Resource).map((target) => `${action} on ${describeResource(target, name)}`),
    );
  });
};

const declaredTableGrants = (declaration: FunctionDeclaration): string[] => [
  ...declaration.table.items.map((action) => `${action} on table`),
  ...declaration.table.query.map(
    (target) => `dynamodb:Query on ${target === 'table' ? 'table' : `index/${target}`}`,
  ),
];

const LOG_GRANTS = ['logs:CreateLogStream on own log group', 'logs:PutLogEvents on own log group'];

/** What `scheduling` in the wiring grants: its schedule actions in the gala-drop group; passing the role to create. */
const declaredSchedulingGrants = (declaration: FunctionDeclaration): string[] => {
  const scheduling = declaration.scheduling ?? [];
  return [
    ...(scheduling.includes('create')
      ? ['scheduler:CreateSchedule on gala-drop schedules', 'iam:PassRole on gala-drop scheduler role']
      : []),
    ...(scheduling.includes('delete') ? ['scheduler:DeleteSchedule on gala-drop schedules'] : []),
  ];
};

describe.each(FUNCTIONS)('the $name function’s role', (declaration) => {
  it('allows exactly the DynamoDB actions the wiring declares, each on its declared table or index', () => {
    const dynamodb = grants(declaration.name).filter((grant) => grant.startsWith('dynamodb:'));

    expect(dynamodb.sort()).toStrictEqual(declaredTableGrants(declaration).sort());
  });

  it('writes logs to its own log group and nowhere else', () => {
    const logs = grants(declaration.name).filter((grant) => grant.startsWith('logs:'));

    expect(logs.sort()).toStrictEqual(LOG_GRANTS);
  });

  it('may publish if it publishes, schedule if it schedules, send failed async runs to its own DLQ, nothing else', () => {
    const extra = [
      ...(deadLetterQueueOf(declaration.name) === undefined ? [] : ['sqs:SendMessage on own DLQ']),
      ...(declaration.publishes ? ['events:PutEvents on livedrop bus'] : []),
      ...declaredSchedulingGrants(declaration),
      ...(declaration.putsMetadata ? ['ivs:PutMetadata on IVS channels of the account'] : []),
      ...(declaration.triggers.some((trigger) => trigger.kind === 'queue')
        ? QUEUE_CONSUMER_ACTIONS.map((action) => `${action} on own trigger queue`)
        : []),
    ];

    expect(grants(declaration.name).sort()).toStrictEqual(
      [...declaredTableGrants(declaration), ...LOG_GRANTS, ...extra].sort(),
    );
  });

  it('is assumable by Lambda only and carries no managed or inline policy', () => {
    const role = resource(synthesised.template, functionIds(synthesised, declaration.name).role);

    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
    expect(role.Properties.AssumeRolePolicyDocument).toMatchObject({
      Statement: [
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
      ],
    });
  });
});

describe.each(SCHEDULING)('the $name function, which schedules gala drops', (declaration) => {
  const statements = () =>
    roleStatements(synthesised.template, functionIds(synthesised, declaration.name).role);
  const variables = () =>
    (
      resource(synthesised.template, functionIds(synthesised, declaration.name).function).Properties
        .Environment as { Variables: Json }
    ).Variables;

  it('touches schedules of the gala-drop group only, with exactly the actions it declares', () => {
    const scheduler = statements().filter((statement) =>
      asList(statement.Action).some((action) => action.startsWith('scheduler:')),
    );

    expect(scheduler).toHaveLength(1);
    expect(asList(scheduler[0]?.Action).sort()).toStrictEqual(
      (declaration.scheduling ?? [])
        .map((action) => (action === 'create' ? 'scheduler:CreateSchedule' : 'scheduler:DeleteSchedule'))
        .sort(),
    );
    expect(asList(scheduler[0]?.Resource)).toStrictEqual([GALA_DROP_SCHEDULES]);
    expect(scheduler[0]?.Condition).toBeUndefined();
  });

  it('may pass the GalaDropSchedulerRole, to Scheduler only, if and only if it creates schedules', () => {
    const passRole = statements().filter((statement) => asList(statement.Action).includes('iam:PassRole'));

    if (!(declaration.scheduling ?? []).includes('create')) {
      expect(passRole).toStrictEqual([]);
      return;
    }
    expect(passRole).toStrictEqual([
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: arnOf(dropRoleId),
        Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      },
    ]);
  });

  it('is told the drop target, the role Scheduler runs it as and (to create) the schedules’ DLQ', () => {
    const applyFunctionId = functionIds(synthesised, GALA_DROP_TARGET).function;

    expect(variables().PRICE_DROP_FUNCTION_ARN).toStrictEqual(arnOf(applyFunctionId));
    expect(variables().SCHEDULER_ROLE_ARN).toStrictEqual(arnOf(dropRoleId));
    if ((declaration.scheduling ?? []).includes('create')) {
      expect(variables().SCHEDULER_DLQ_ARN).toStrictEqual(arnOf(schedulesDeadLetterQueueId));
    }
  });
});

describe('scheduling gala drops', () => {
  it('is declared by create-price-drop (create) and cancel-price-drop (delete) only', () => {
    expect(SCHEDULING.map(({ name, scheduling }) => ({ name, scheduling }))).toStrictEqual([
      { name: 'create-price-drop', scheduling: ['create'] },
      { name: 'cancel-price-drop', scheduling: ['delete'] },
    ]);
  });

  it('no other function may touch a schedule, pass a role or is told the scheduler settings', () => {
    for (const { name } of FUNCTIONS.filter((declaration) => !SCHEDULING.includes(declaration))) {
      const actions = roleStatements(synthesised.template, functionIds(synthesised, name).role).flatMap(
        (statement) => asList(statement.Action),
      );
      const variables = (
        resource(synthesised.template, functionIds(synthesised, name).function).Properties.Environment as {
          Variables: Json;
        }
      ).Variables;

      expect(
        actions.filter((action) => /^(scheduler|iam):/.test(action)),
        name,
      ).toStrictEqual([]);
      expect(
        Object.keys(variables).filter((key) => key.startsWith('SCHEDULER_')),
        name,
      ).toStrictEqual([]);
      expect(variables.PRICE_DROP_FUNCTION_ARN, name).toBeUndefined();
    }
  });

  it('iam:PassRole names the GalaDropSchedulerRole only, anywhere in the template', () => {
    const passRoles = allStatements(synthesised.template).filter(({ statement }) =>
      asList(statement.Action).includes('iam:PassRole'),
    );

    expect(passRoles.length).toBeGreaterThan(0);
    for (const { at, statement } of passRoles) {
      expect(asList(statement.Resource), at).toStrictEqual([arnOf(dropRoleId)]);
      expect(statement.Condition, at).toStrictEqual({
        StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
      });
    }
  });
});

describe('policies across the whole template', () => {
  it('never name Resource "*" (AWS requires it nowhere in this stack)', () => {
    const wildcards = allStatements(synthesised.template).filter(({ statement }) =>
      asList(statement.Resource).some((target) => typeof target === 'string' && target.includes('*')),
    );

    expect(wildcards.map(({ at }) => at)).toStrictEqual([]);
  });

  it('build a wildcard resource only for the sweep’s versions, the gala-drop group’s schedules and IVS channels', () => {
    const sweepFunctionArn = arnOf(functionIds(synthesised, 'sweep').function);
    // Grants only: a bucket's TLS-only Deny names `<bucket>/*` and takes nothing away but plain HTTP.
    const grants = allStatements(synthesised.template).filter(
      ({ statement }) => statement.Effect === 'Allow',
    );
    const wildcardJoins = grants.flatMap(({ at, statement }) =>
      asList(statement.Resource)
        .filter((target) => JSON.stringify(target).includes('*'))
        .map((target) => ({ at, target })),
    );

    expect(wildcardJoins.length).toBeGreaterThan(0);
    for (const { at, target } of wildcardJoins) {
      expect(
        [{ 'Fn::Join': ['', [sweepFunctionArn, ':*']] }, GALA_DROP_SCHEDULES, ACCOUNT_IVS_CHANNELS],
        at,
      ).toContainEqual(target);
    }
  });

  it('never allow dynamodb:* or any other wildcard action', () => {
    const wildcards = allStatements(synthesised.template).filter(
      ({ statement }) =>
        statement.Effect === 'Allow' && asList(statement.Action).some((action) => action.includes('*')),
    );

    expect(wildcards.map(({ at }) => at)).toStrictEqual([]);
    expect(JSON.stringify(synthesised.template.toJSON())).not.toContain('dynamodb:*');
  });

  it('attach no managed policy to any role, and define none', () => {
    const withManaged = Object.entries(resourcesOfType(synthesised.template, 'AWS::IAM::Role')).filter(
      ([, role]) => role.Properties.ManagedPolicyArns !== undefined,
    );

    expect(withManaged.map(([id]) => id)).toStrictEqual([]);
    synthesised.template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });
});

describe('engine time bounds against the deployed timeouts', () => {
  it('lets repairs take over a claim only after the claim function can no longer be running', () => {
    const claim = FUNCTIONS.find((fn) => fn.name === 'claim-coupon');

    expect(claim).toBeDefined();
    expect(DEFAULT_ENGINE_OPTIONS.claimGraceMs).toBeGreaterThanOrEqual(
      2 * (claim?.timeoutSeconds ?? 0) * 1000,
    );
  });

  it('prunes a shard’s return log only after any function that could still be returning has timed out', () => {
    expect(DEFAULT_ENGINE_OPTIONS.returnPruneGraceMs).toBeGreaterThan(
      Math.max(...FUNCTIONS.map((fn) => fn.timeoutSeconds)) * 1000,
    );
  });
});

describe.each(FUNCTIONS)('the $name function', (declaration) => {
  const props = () =>
    resource(synthesised.template, functionIds(synthesised, declaration.name).function).Properties;

  it('runs Node.js 24 on arm64 with the memory and timeout the wiring declares', () => {
    expect(props()).toMatchObject({
      Architectures: ['arm64'],
      Runtime: 'nodejs24.x',
      MemorySize: declaration.memoryMb,
      Timeout: declaration.timeoutSeconds,
    });
  });

  it('is told its table and its service name for logs', () => {
    const variables = (props().Environment as { Variables: Json }).Variables;

    expect(variables.TABLE_NAME).toStrictEqual(ref(tableId));
    expect(variables.LIVEDROP_SERVICE_NAME).toEqual(expect.stringMatching(/\S/));
  });

  it('logs JSON to its own log group, which has a retention', () => {
    const ids = functionIds(synthesised, declaration.name);

    expect(props().LoggingConfig).toStrictEqual({ LogFormat: 'JSON', LogGroup: ref(ids.logGroup) });
    expect(resource(synthesised.template, ids.logGroup)).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: expect.any(Number) },
    });
  });
});

describe('functions', () => {
  it('share no role and no log group', () => {
    const ids = FUNCTIONS.map(({ name }) => functionIds(synthesised, name));

    expect(new Set(ids.map(({ role }) => role)).size).toBe(FUNCTIONS.length);
    expect(new Set(ids.map(({ logGroup }) => logGroup)).size).toBe(FUNCTIONS.length);
  });

  it('are exactly the wiring’s, one Lambda per declaration', () => {
    const declared = FUNCTIONS.map(({ name }) => functionIds(synthesised, name).function).sort();
    const inTemplate = Object.keys(resourcesOfType(synthesised.template, 'AWS::Lambda::Function')).sort();

    expect(inTemplate).toStrictEqual(declared);
  });
});
