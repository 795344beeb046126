import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { httpRoutes } from '../../functions/shared/contract/wiring.js';
import type { ConsoleSite } from './constructs/console-site.js';
import type { Livedrop } from './livedrop.js';

const logicalIdOf = (construct: IConstruct) =>
  Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);

/**
 * Every cdk-nag AwsSolutions finding the engine accepts, each by its exact finding id, with the reason; each is
 * applied on the narrowest construct that carries it, and anything not listed fails synth. A function of the
 * engine, because one id names the sweep function by its logical id, which depends on where the engine sits.
 */
export const engineNagAcknowledgements = (engine: Livedrop) => {
  const sweepId = logicalIdOf(engine.requireFunction('sweep').fn);
  return {
    sweepInvokeVersions: {
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${sweepId}.Arn>:*]`,
      reason:
        'The scheduler role may invoke only the sweep function; the ":*" suffix covers that one function’s versions and aliases, as the aws-scheduler-targets LambdaInvoke grant writes it. No other resource is reachable.',
    },
    publicRoute: {
      id: 'AwsSolutions::AwsSolutions-APIG4',
      reason:
        'The public live state of a stream (GET /streams/{streamId}/live) is what every viewer of the stream may see, the same for all and nothing personal; it is read-only, cached a second per container and by browsers and the CDN, and throttled per route. Every other route keeps the JWT authorizer.',
    },
    galaDropSchedules: {
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/livedrop-gala-drops/*]',
      reason:
        'Gala price-drop schedules are created at run time, one per drop, named drop-<dropId>; the functions that create or delete them may touch only schedules in the livedrop-gala-drops group, never another group.',
    },
    ivsChannels: {
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ivs:<AWS::Region>:<AWS::AccountId>:channel/*]',
      reason:
        'Deals name their IVS channel at run time (ivsChannelArn), so without the ivsChannelArns prop the live-metadata function may put timed metadata (ivs:PutMetadata only) into any channel of this account and region, no other IVS action or resource; pass ivsChannelArns to name the channels.',
    },
  } as const;
};

/**
 * The console site's findings (only when the stack has one). A function of the site, because one id names
 * the console bucket by its logical id.
 */
export const consoleNagAcknowledgements = (site: ConsoleSite) => {
  const bucketId = logicalIdOf(site.bucket);
  return {
    consoleBucketObjects: {
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`,
      reason:
        'The console deployment writes and prunes the page’s files (s3:PutObject, s3:DeleteObject only) in the console bucket, whose object names come from the build; the bucket holds nothing else.',
    },
    deploymentSourceZips: {
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
      reason:
        'The console deployment reads its source zips (s3:GetObject only) from the CDK bootstrap assets bucket; config.json’s zip is created inside BucketDeployment, so its object key is not known to the stack.',
    },
    deploymentRuntime: {
      id: 'AwsSolutions::AwsSolutions-L1',
      reason:
        'The runtime of the BucketDeployment handler (Python, with the AWS CLI layer) is chosen by aws-cdk-lib and cannot be set; it only runs during deployments, never on a request path.',
    },
    geoRestriction: {
      id: 'AwsSolutions::AwsSolutions-CFR1',
      reason:
        'The console is static HTML/JS/CSS with no data in it; hosts work wherever the stream is produced, and every action goes through the API, which requires a token with the host or admin scope.',
    },
    webAcl: {
      id: 'AwsSolutions::AwsSolutions-CFR2',
      reason:
        'The distribution serves static files only (GET/HEAD, no origin logic); data and writes go to the HTTP API, which has the JWT authorizer and per-route throttles. A WAF web ACL would protect nothing the files expose.',
    },
    defaultCertificateTls: {
      id: 'AwsSolutions::AwsSolutions-CFR4',
      reason:
        'Without a custom domain the distribution uses the default *.cloudfront.net certificate, on which CloudFront fixes the minimum at TLSv1; deploy with -c livedrop:consoleDomain and -c livedrop:consoleCertificateArn to get TLSv1.2_2021 with SNI.',
    },
  } as const;
};

/** The live view's distribution's findings (unless the stack leaves it out). */
export const liveCdnNagAcknowledgements = () =>
  ({
    geoRestriction: {
      id: 'AwsSolutions::AwsSolutions-CFR1',
      reason:
        'The live state is public by design: the deal prices and stock every viewer of a stream sees in the overlay, nothing personal; the shop decides where it sells, not the cache in front of its overlay.',
    },
    webAcl: {
      id: 'AwsSolutions::AwsSolutions-CFR2',
      reason:
        'Only GET/HEAD/OPTIONS of /streams/*/live reach the API, cached per path for up to 2 s behind Origin Shield; every other path ends at the edge with 404. Paths that miss the cache meet the route throttle of the API. A web ACL would cost $0.60 per million requests, more than CloudFront itself at a gala.',
    },
    defaultCertificateTls: {
      id: 'AwsSolutions::AwsSolutions-CFR4',
      reason:
        'Without a custom domain the distribution uses the default *.cloudfront.net certificate, on which CloudFront fixes the minimum at TLSv1; the live state is public and carries no token, cookie or personal data.',
    },
    logBucketAccessLogs: {
      id: 'AwsSolutions::AwsSolutions-S1',
      reason:
        'This bucket only receives the distribution’s standard logs: private, encrypted, TLS only, objects expire after 90 days. Logging access to the log bucket itself would need yet another bucket to log into.',
    },
  }) as const;

/**
 * Applies the acknowledgements to the engine, wherever it sits: bin/app.ts calls it, and so can a shop's app that
 * runs cdk-nag over a stack holding the engine.
 */
export const acknowledgeNagFindings = (engine: Livedrop): void => {
  const stack = Stack.of(engine);
  const site = engine.consoleSite;
  if (site) {
    const acks = consoleNagAcknowledgements(site);
    if (site.deploymentRole) {
      Validations.of(site.deploymentRole).acknowledge(acks.consoleBucketObjects, acks.deploymentSourceZips);
    }
    Validations.of(site.distribution).acknowledge(acks.geoRestriction, acks.webAcl);
    if (!site.customDomain) Validations.of(site.distribution).acknowledge(acks.defaultCertificateTls);
    // BucketDeployment's handler is a singleton at stack level, named after its fixed uuid.
    for (const child of stack.node.children) {
      if (child.node.id.startsWith('Custom::CDKBucketDeployment')) {
        Validations.of(child).acknowledge(acks.deploymentRuntime);
      }
    }
  }
  const cdn = engine.liveCdn;
  if (cdn) {
    const cdnAcks = liveCdnNagAcknowledgements();
    Validations.of(cdn.distribution).acknowledge(
      cdnAcks.geoRestriction,
      cdnAcks.webAcl,
      cdnAcks.defaultCertificateTls,
    );
    Validations.of(cdn.logBucket).acknowledge(cdnAcks.logBucketAccessLogs);
  }
  const acks = engineNagAcknowledgements(engine);
  for (const fn of engine.functions.values()) {
    if ((fn.declaration.scheduling ?? []).length > 0) {
      Validations.of(fn.node.findChild('Role')).acknowledge(acks.galaDropSchedules);
    }
    if (fn.declaration.putsMetadata && engine.ivsChannelScope === 'account') {
      Validations.of(fn.node.findChild('Role')).acknowledge(acks.ivsChannels);
    }
  }
  // The public routes of the wiring, by the id HttpApi.addRoutes gives each route (method, then path with -- for /).
  for (const { trigger } of httpRoutes()) {
    if (!trigger.public) continue;
    const route = engine.api.node.tryFindChild(`${trigger.method}${trigger.path.replace(/\//g, '--')}`);
    if (route) Validations.of(route).acknowledge(acks.publicRoute);
  }
  // aws-scheduler-targets creates the schedule's role at stack level under a hashed id; the finding id names
  // the sweep, so the shop's own scheduler roles there are not covered.
  for (const child of stack.node.children) {
    if (child.node.id.startsWith('SchedulerRoleForTarget')) {
      Validations.of(child).acknowledge(acks.sweepInvokeVersions);
    }
  }
};
