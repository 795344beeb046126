/**
 * Least privilege, read against the wiring: each function's role allows exactly the DynamoDB access its
 * declaration lists (item actions on the table, Query on the named table/indexes), writes only its own logs,
 * and nothing else; and each function runs with the defaults every livedrop Lambda shares.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS, type FunctionDeclaration } from '../../lib/wiring.js';
import {
  allStatements,
  arnOf,
  asList,
  functionIds,
  type Json,
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

beforeAll(() => {
  synthesised = synthLivedrop();
  [tableId] = onlyResourceOfType(synthesised.template, 'AWS::DynamoDB::GlobalTable');
  [busId] = onlyResourceOfType(synthesised.template, 'AWS::Events::EventBus');
});

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

/** A statement resource in the wiring's words: `table`, `index/GSI2`, `own log group`, `own DLQ`. */
const describeResource = (value: unknown, name: string): string => {
  const ownDeadLetterQueueId = deadLetterQueueOf(name);
  if (same(value, arnOf(tableId))) return 'table';
  if (same(value, arnOf(functionIds(synthesised, name).logGroup))) return 'own log group';
  if (ownDeadLetterQueueId !== undefined && same(value, arnOf(ownDeadLetterQueueId))) return 'own DLQ';
  if (same(value, arnOf(busId))) return 'livedrop bus';
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

describe.each(FUNCTIONS)('the $name function’s role', (declaration) => {
  it('allows exactly the DynamoDB actions the wiring declares, each on its declared table or index', () => {
    const dynamodb = grants(declaration.name).filter((grant) => grant.startsWith('dynamodb:'));

    expect(dynamodb.sort()).toStrictEqual(declaredTableGrants(declaration).sort());
  });

  it('writes logs to its own log group and nowhere else', () => {
    const logs = grants(declaration.name).filter((grant) => grant.startsWith('logs:'));

    expect(logs.sort()).toStrictEqual(LOG_GRANTS);
  });

  it('may publish on the livedrop bus if it publishes, send failed async runs to its own DLQ, nothing else', () => {
    const extra = [
      ...(deadLetterQueueOf(declaration.name) === undefined ? [] : ['sqs:SendMessage on own DLQ']),
      ...(declaration.publishes ? ['events:PutEvents on livedrop bus'] : []),
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

describe('policies across the whole template', () => {
  it('never name Resource "*" (AWS requires it nowhere in this stack)', () => {
    const wildcards = allStatements(synthesised.template).filter(({ statement }) =>
      asList(statement.Resource).some((target) => typeof target === 'string' && target.includes('*')),
    );

    expect(wildcards.map(({ at }) => at)).toStrictEqual([]);
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

  it('is told its table and its Powertools service name', () => {
    const variables = (props().Environment as { Variables: Json }).Variables;

    expect(variables.TABLE_NAME).toStrictEqual(ref(tableId));
    expect(variables.POWERTOOLS_SERVICE_NAME).toEqual(expect.stringMatching(/\S/));
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
