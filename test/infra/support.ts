/**
 * What the infra tests share: one way to synthesise the stack (bundling skipped, so a synth takes well under a
 * second), and small readers that turn the template back into the terms of the wiring: a function's logical
 * ids, the statements of a role, a `{ "Fn::GetAtt": [id, "Arn"] }` as the id it points at.
 */
import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { LivedropStack, type LivedropStackProps } from '../../lib/cdk/livedrop-stack.js';

export const ISSUER = 'https://issuer.example.com/';
export const AUDIENCE = 'livedrop-api';

/** Skips esbuild: assets get a placeholder hash, everything else synthesises as for a deployment. */
export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

export interface Synthesised {
  app: App;
  stack: LivedropStack;
  template: Template;
}

/**
 * Template assertions skip CDK's built-in CloudFormation validation too (a rule engine that adds about a second
 * to every synth); nag.test.ts keeps it, since it builds the app as bin/app.ts does.
 */
export const TEMPLATE_ONLY = { context: NO_BUNDLING, builtinCloudFormationValidation: false };

/** The stack with the test issuer and audience, and whatever else `props` sets. */
export const synthLivedrop = (props: Partial<LivedropStackProps> = {}): Synthesised => {
  const app = new App(TEMPLATE_ONLY);
  const stack = new LivedropStack(app, 'Test', { issuer: ISSUER, audience: AUDIENCE, ...props });
  return { app, stack, template: Template.fromStack(stack) };
};

/** Every IVS channel of the stack's account and region: what ivs:PutMetadata gets without `ivsChannelArns`. */
export const ACCOUNT_IVS_CHANNELS = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':ivs:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':channel/*',
    ],
  ],
};

export type Json = Record<string, unknown>;

export interface Resource {
  Type: string;
  Properties: Json;
  DependsOn?: string[];
}

/** The logical id CloudFormation knows a construct (or its default child) by. */
export const logicalIdOf = (stack: Stack, construct: IConstruct): string => {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return stack.getLogicalId(element);
};

export const ref = (logicalId: string) => ({ Ref: logicalId });
export const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

export const resourcesOfType = (template: Template, type: string): Record<string, Resource> =>
  template.findResources(type) as Record<string, Resource>;

export const resource = (template: Template, logicalId: string): Resource => {
  const found = (template.toJSON().Resources as Record<string, Resource>)[logicalId];
  if (found === undefined) throw new Error(`no resource ${logicalId} in the template`);
  return found;
};

/** The one resource of a type; fails when there is none or more than one. */
export const onlyResourceOfType = (template: Template, type: string): [string, Resource] => {
  const entries = Object.entries(resourcesOfType(template, type));
  if (entries.length !== 1) throw new Error(`expected exactly one ${type}, found ${entries.length}`);
  return entries[0] as [string, Resource];
};

/** The logical id a `Ref` or `Fn::GetAtt` points at, or undefined for anything else. */
export const pointsAt = (value: unknown): string | undefined => {
  if (typeof value !== 'object' || value === null) return undefined;
  const object = value as Json;
  if (typeof object.Ref === 'string') return object.Ref;
  const getAtt = object['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  return undefined;
};

export interface FunctionIds {
  function: string;
  role: string;
  logGroup: string;
}

/** The logical ids of a wiring function's Lambda, role and log group, as the template wires them. */
export const functionIds = (synthesised: Synthesised, name: string): FunctionIds => {
  const construct = synthesised.stack.engine.functions.get(name);
  if (construct === undefined) throw new Error(`the stack has no function ${name}`);
  const functionId = logicalIdOf(synthesised.stack, construct.fn);
  const props = resource(synthesised.template, functionId).Properties;
  const role = pointsAt(props.Role);
  const logGroup = pointsAt((props.LoggingConfig as Json | undefined)?.LogGroup);
  if (role === undefined || logGroup === undefined) throw new Error(`${name} has no role or log group`);
  return { function: functionId, role, logGroup };
};

export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: unknown;
  Sid?: string;
}

export const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Every statement of every AWS::IAM::Policy attached to the role. */
export const roleStatements = (template: Template, roleId: string): Statement[] =>
  Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
    .filter((policy) => asList(policy.Properties.Roles).some((role) => pointsAt(role) === roleId))
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);

/** Every policy statement anywhere in the template: IAM policies, trust policies, queue and topic policies. */
export const allStatements = (template: Template): { at: string; statement: Statement }[] => {
  const found: { at: string; statement: Statement }[] = [];
  const visit = (value: unknown, at: string): void => {
    if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) visit(item, `${at}[${index}]`);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) {
        if (key === 'Statement' && Array.isArray(child)) {
          for (const [index, statement] of child.entries()) {
            found.push({ at: `${at}.Statement[${index}]`, statement: statement as Statement });
          }
        } else {
          visit(child, `${at}.${key}`);
        }
      }
    }
  };
  visit(template.toJSON().Resources, 'Resources');
  return found;
};
