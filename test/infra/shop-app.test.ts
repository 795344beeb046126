/**
 * The example of embedding (docs/examples/shop-app.ts): another app's stack holds the engine beside its own
 * resources, passes its settings, and reads the engine's bus. Synthesised here so the example cannot rot.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOP_ORIGINS, ShopStack, shopApp } from '../../docs/examples/shop-app.js';
import { EVENT_TYPES } from '../../functions/shared/contract/event-schemas.js';
import { FUNCTIONS } from '../../functions/shared/contract/wiring.js';
import { EVENT_SOURCE } from '../../functions/shared/domain/events.js';
import {
  AUDIENCE,
  allStatements,
  ISSUER,
  logicalIdOf,
  NO_BUNDLING,
  onlyResourceOfType,
  ref,
  resourcesOfType,
  TEMPLATE_ONLY,
} from './support.js';

let shop: ShopStack;
let template: Template;
const outdirs: string[] = [];

beforeAll(() => {
  shop = new ShopStack(new App(TEMPLATE_ONLY), 'Shop', { issuer: ISSUER, audience: AUDIENCE });
  template = Template.fromStack(shop);
});

afterAll(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

describe('a shop’s stack with livedrop embedded', () => {
  it('holds the whole engine: every function of the wiring, the API, the table, the bus and the registry', () => {
    expect(shop.livedrop.functions.size).toBe(FUNCTIONS.length);
    template.resourceCountIs('AWS::Lambda::Function', FUNCTIONS.length);
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'livedrop' });
    template.resourceCountIs('AWS::EventSchemas::Schema', EVENT_TYPES.length);
  });

  it('sends livedrop’s alarms to the shop’s topic and creates no topic of its own', () => {
    const [topicId] = onlyResourceOfType(template, 'AWS::SNS::Topic');
    const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm'));

    expect(topicId).toBe(logicalIdOf(shop, shop.onCall));
    expect(shop.livedrop.alarmTopic).toBe(shop.onCall);
    expect(alarms.length).toBeGreaterThan(FUNCTIONS.length);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toStrictEqual([ref(topicId)]);
    expect(
      allStatements(template).filter(({ statement }) => statement.Sid === 'CloudWatchAlarmsPublish'),
    ).toHaveLength(1);
  });

  it('admits the shop’s origins in the API’s CORS', () => {
    const [, api] = onlyResourceOfType(template, 'AWS::ApiGatewayV2::Api');

    expect(api.Properties.CorsConfiguration).toMatchObject({ AllowOrigins: SHOP_ORIGINS });
  });

  it('keeps its logs as long as the shop asked, and the table protected', () => {
    for (const logGroup of Object.values(resourcesOfType(template, 'AWS::Logs::LogGroup'))) {
      expect(logGroup.Properties.RetentionInDays).toBe(90);
    }
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: { Replicas: [{ DeletionProtectionEnabled: true }] },
    });
  });

  it('subscribes the shop’s loyalty queue to Coupon Claimed on the livedrop bus', () => {
    const busId = logicalIdOf(shop, shop.livedrop.bus);
    const queueId = logicalIdOf(shop, shop.loyaltyQueue);
    const ruleId = logicalIdOf(shop, shop.node.findChild('CouponClaimedToLoyalty'));
    const rule = resourcesOfType(template, 'AWS::Events::Rule')[ruleId];

    expect(EVENT_TYPES).toContain('Coupon Claimed');
    expect(rule?.Properties).toMatchObject({
      EventBusName: ref(busId),
      EventPattern: { source: [EVENT_SOURCE], 'detail-type': ['Coupon Claimed'] },
      Targets: [{ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } }],
    });
  });

  it('passes cdk-nag with livedrop’s acknowledgements applied where the engine sits', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'livedrop-shop-'));
    outdirs.push(outdir);
    const app = new App({ outdir, context: { ...NO_BUNDLING, issuer: ISSUER, audience: AUDIENCE } });
    shopApp(app);

    expect(() => app.synth()).not.toThrow();
  });
});
