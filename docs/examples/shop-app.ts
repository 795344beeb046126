/**
 * A shop's own CDK app with livedrop embedded (docs/deploy.md#embedding-livedrop-in-your-own-app). The shop's stack
 * keeps its own resources, an on-call topic and the queue its loyalty service reads, and puts the engine beside
 * them: its viewers' origins for CORS, its topic for livedrop's alarms, and a rule on the livedrop bus that sends
 * every `Coupon Claimed` to the loyalty queue. A shop that installs livedrop imports the construct from the
 * package; here the imports are relative.
 *
 *   npx cdk synth --app 'npx tsx docs/examples/shop-app.ts' -c issuer=https://issuer.example/ -c audience=shop-web
 */
import { pathToFileURL } from 'node:url';
import { App, CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { allowAlarmsToPublish } from '../../lib/cdk/constructs/messaging.js';
import { Livedrop } from '../../lib/cdk/livedrop.js';
import { acknowledgeNagFindings } from '../../lib/cdk/nag.js';

export interface ShopStackProps extends StackProps {
  issuer: string;
  audience: string;
}

/** Where the shop's pages run: its storefront and the player that shows the viewer overlay. */
export const SHOP_ORIGINS = ['https://shop.example', 'https://player.shop.example'];

export class ShopStack extends Stack {
  readonly livedrop: Livedrop;
  readonly onCall: Topic;
  readonly loyaltyQueue: Queue;

  constructor(scope: App, id: string, props: ShopStackProps) {
    super(scope, id, props);
    this.onCall = new Topic(this, 'OnCall', { displayName: 'shop on-call', enforceSSL: true });
    // enforceSSL gives the topic its own policy, which must now let CloudWatch alarms publish.
    allowAlarmsToPublish(this.onCall);

    this.livedrop = new Livedrop(this, 'Livedrop', {
      issuer: props.issuer,
      audience: props.audience,
      allowedOrigins: SHOP_ORIGINS,
      alarmTopic: this.onCall,
      logRetention: RetentionDays.THREE_MONTHS,
      deletionProtection: true,
    });

    const loyaltyDeadLetters = new Queue(this, 'LoyaltyDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.loyaltyQueue = new Queue(this, 'LoyaltyQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: loyaltyDeadLetters, maxReceiveCount: 5 },
    });
    // The detail follows the registry's CouponClaimed schema (docs/deploy.md#event-schema-registry).
    new Rule(this, 'CouponClaimedToLoyalty', {
      eventBus: this.livedrop.bus,
      eventPattern: { source: ['livedrop'], detailType: ['Coupon Claimed'] },
      targets: [new SqsQueue(this.loyaltyQueue, { deadLetterQueue: loyaltyDeadLetters, retryAttempts: 8 })],
    });

    new CfnOutput(this, 'LivedropApiUrl', { value: this.livedrop.apiUrl });
  }
}

/** The shop's app as `cdk synth` runs it, with cdk-nag as livedrop's own app has it. */
export const shopApp = (app: App): ShopStack => {
  const issuer = app.node.tryGetContext('issuer');
  const audience = app.node.tryGetContext('audience');
  if (typeof issuer !== 'string' || typeof audience !== 'string') {
    throw new Error('Pass -c issuer=https://... -c audience=...');
  }
  const shop = new ShopStack(app, 'Shop', { issuer, audience });
  acknowledgeNagFindings(shop.livedrop);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return shop;
};

// Only when run as the app, not when a test imports the stack.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  shopApp(new App());
}
