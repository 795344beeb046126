/**
 * The host console's static site (issue 8): a private bucket only CloudFront may read (origin access
 * control), HTTPS only with security headers, a deployment that writes config.json pointing at the API with
 * exactly the S3 actions its handler uses, CORS on the API for the console's origin only, and cdk-nag clean
 * with each console finding fixed or acknowledged on the construct that carries it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleSiteProps } from '../../lib/cdk/constructs/console-site.js';
import { LivedropStack } from '../../lib/cdk/livedrop-stack.js';
import { acknowledgeNagFindings, consoleNagAcknowledgements } from '../../lib/cdk/nag.js';
import {
  AUDIENCE,
  asList,
  ISSUER,
  logicalIdOf,
  NO_BUNDLING,
  onlyResourceOfType,
  pointsAt,
  type Resource,
  resource,
  resourcesOfType,
  roleStatements,
  synthLivedrop,
  TEMPLATE_ONLY,
} from './support.js';

const outdirs: string[] = [];
const newOutdir = () => {
  const outdir = mkdtempSync(join(tmpdir(), 'livedrop-console-site-'));
  outdirs.push(outdir);
  return outdir;
};

afterAll(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

/**
 * Without the live view's distribution (live-cdn.test.ts) unless asked, so every CloudFront resource here is the
 * console's.
 */
const synthWithConsole = (consoleSite: ConsoleSiteProps = {}, liveCdn = false) => {
  const app = new App({ ...TEMPLATE_ONLY, outdir: newOutdir() });
  const stack = new LivedropStack(app, 'Test', {
    issuer: ISSUER,
    audience: AUDIENCE,
    consoleSite,
    liveCdn,
  });
  return { app, stack, template: Template.fromStack(stack) };
};

let synthesised: ReturnType<typeof synthWithConsole>;
let bucketId: string;
let distributionId: string;
let apiId: string;

beforeAll(() => {
  synthesised = synthWithConsole();
  const site = synthesised.stack.engine.consoleSite;
  if (!site) throw new Error('the stack has no console site');
  bucketId = logicalIdOf(synthesised.stack, site.bucket);
  distributionId = logicalIdOf(synthesised.stack, site.distribution);
  [apiId] = onlyResourceOfType(synthesised.template, 'AWS::ApiGatewayV2::Api');
});

const resources = () => synthesised.template.toJSON().Resources as Record<string, Resource>;
const distributionConfig = () =>
  resources()[distributionId]?.Properties.DistributionConfig as Record<string, unknown> & {
    DefaultCacheBehavior: Record<string, unknown>;
    CacheBehaviors?: Record<string, unknown>[];
    Origins: Record<string, unknown>[];
  };

describe('the console bucket', () => {
  it('blocks every kind of public access, is encrypted and refuses plain HTTP', () => {
    const props = resources()[bucketId]?.Properties;

    expect(props?.PublicAccessBlockConfiguration).toStrictEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(props?.BucketEncryption).toMatchObject({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(props?.WebsiteConfiguration).toBeUndefined();
    expect(props?.LoggingConfiguration).toMatchObject({ LogFilePrefix: 's3/' });
  });

  it('lets only this distribution read it (CloudFront service principal, SourceArn), and denies non-TLS', () => {
    const policy = Object.values(resourcesOfType(synthesised.template, 'AWS::S3::BucketPolicy')).find(
      (candidate) => pointsAt(candidate.Properties.Bucket) === bucketId,
    );
    if (!policy) throw new Error('the console bucket has no policy');
    const statements = (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] })
      .Statement;
    const allows = statements.filter((statement) => statement.Effect === 'Allow');

    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({
      Action: 's3:GetObject',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
    });
    expect(JSON.stringify(allows[0]?.Condition)).toContain(distributionId);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    expect(JSON.stringify(allows)).not.toContain('"AWS":"*"');
  });
});

describe('the distribution', () => {
  it('reaches the bucket through an origin access control that signs every request', () => {
    const [oacId, oac] = onlyResourceOfType(synthesised.template, 'AWS::CloudFront::OriginAccessControl');
    const [origin] = distributionConfig().Origins;

    expect(oac.Properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    expect(pointsAt(origin?.OriginAccessControlId)).toBe(oacId);
    expect(JSON.stringify(origin?.DomainName)).toContain(bucketId);
    expect(origin?.S3OriginConfig).toStrictEqual({ OriginAccessIdentity: '' });
  });

  it('serves index.html at the root, HTTPS only, GET and HEAD only, with its access logs', () => {
    const config = distributionConfig();
    const behaviors = [config.DefaultCacheBehavior, ...(config.CacheBehaviors ?? [])];

    expect(config.DefaultRootObject).toBe('index.html');
    for (const behavior of behaviors) {
      expect(['redirect-to-https', 'https-only']).toContain(behavior.ViewerProtocolPolicy);
      expect(behavior.AllowedMethods ?? ['GET', 'HEAD']).toStrictEqual(['GET', 'HEAD']);
    }
    expect(config.Logging).toMatchObject({ Prefix: 'cloudfront/' });
  });

  it('sends the CSP (API Gateway of this region only), HSTS, nosniff, DENY framing and no referrer', () => {
    const [policyId, policy] = onlyResourceOfType(
      synthesised.template,
      'AWS::CloudFront::ResponseHeadersPolicy',
    );
    const headers = (policy.Properties.ResponseHeadersPolicyConfig as Record<string, Record<string, unknown>>)
      .SecurityHeadersConfig;
    const csp = JSON.stringify(headers?.ContentSecurityPolicy);

    expect(pointsAt(distributionConfig().DefaultCacheBehavior.ResponseHeadersPolicyId)).toBe(policyId);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/connect-src 'self' https:\/\/\*\.execute-api\./);
    expect(headers).toMatchObject({
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
      StrictTransportSecurity: {
        AccessControlMaxAgeSec: 31_536_000,
        IncludeSubdomains: true,
        Override: true,
      },
    });
  });

  it('with a custom domain, requires TLS 1.2 with SNI on its certificate', () => {
    const { template } = synthWithConsole({
      domain: {
        name: 'console.example.com',
        certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
      },
    });
    const [, distribution] = onlyResourceOfType(template, 'AWS::CloudFront::Distribution');
    const config = distribution.Properties.DistributionConfig as Record<string, unknown>;

    expect(config.Aliases).toStrictEqual(['console.example.com']);
    expect(config.ViewerCertificate).toMatchObject({
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    const [, api] = onlyResourceOfType(template, 'AWS::ApiGatewayV2::Api');
    expect(api.Properties.CorsConfiguration).toMatchObject({ AllowOrigins: ['https://console.example.com'] });
  });
});

describe('the deployment', () => {
  const deployment = () => onlyResourceOfType(synthesised.template, 'Custom::CDKBucketDeployment')[1];

  it('writes config.json pointing the page at this stack’s HTTP API', () => {
    const props = deployment().Properties;
    const markers = props.SourceMarkers as Record<string, unknown>[];
    const keys = props.SourceObjectKeys as string[];
    // The config.json source is the one with a marker; its staged asset holds the file with the marker.
    const index = markers.findIndex((marker) => Object.keys(marker).length > 0);
    const [marker, value] = Object.entries(markers[index] ?? {})[0] ?? [];
    const staged = join(synthesised.app.outdir, `asset.${keys[index]?.replace(/\.zip$/, '')}`, 'config.json');

    expect(pointsAt(props.DestinationBucketName)).toBe(bucketId);
    expect(value).toStrictEqual({ 'Fn::GetAtt': [apiId, 'ApiEndpoint'] });
    expect(existsSync(staged), staged).toBe(true);
    expect(JSON.parse(readFileSync(staged, 'utf8'))).toStrictEqual({ apiUrl: marker, localIssuer: false });
    expect(props.Prune).toBe(true);
    expect(props.RetainOnDelete).toBe(false);
    expect(props.SystemMetadata).toMatchObject({ 'cache-control': 'no-cache' });
    expect(props.DistributionId).toBeUndefined();
  });

  it('runs as a role with no managed policy and exactly the S3 actions its handler calls', () => {
    const site = synthesised.stack.engine.consoleSite;
    if (!site?.deploymentRole) throw new Error('no deployment role');
    const roleId = logicalIdOf(synthesised.stack, site.deploymentRole);
    const statements = roleStatements(synthesised.template, roleId);

    expect(resources()[roleId]?.Properties.ManagedPolicyArns).toBeUndefined();
    expect(
      statements.map((statement) => ({ sid: statement.Sid, actions: asList(statement.Action).sort() })),
    ).toStrictEqual([
      { sid: undefined, actions: ['logs:CreateLogStream', 'logs:PutLogEvents'] },
      { sid: 'ReadSourceZips', actions: ['s3:GetObject'] },
      { sid: 'ListConsoleBucket', actions: ['s3:GetBucketTagging', 's3:ListBucket'] },
      { sid: 'WriteConsoleFiles', actions: ['s3:DeleteObject', 's3:PutObject'] },
    ]);
    expect(
      statements.flatMap((statement) => asList(statement.Action)).filter((a) => a.includes('*')),
    ).toStrictEqual([]);
    const handlers = Object.values(resourcesOfType(synthesised.template, 'AWS::Lambda::Function')).filter(
      (fn) => pointsAt(fn.Properties.Role) === roleId,
    );
    expect(handlers).toHaveLength(1);
  });
});

describe('the viewer overlay beside the console', () => {
  it('writes overlay/config.json: the API, no local issuer, no SSE, and no page that may embed it', () => {
    const props = onlyResourceOfType(synthesised.template, 'Custom::CDKBucketDeployment')[1].Properties;
    const markers = props.SourceMarkers as Record<string, unknown>[];
    const keys = props.SourceObjectKeys as string[];
    const index = markers.findLastIndex((marker) => Object.keys(marker).length > 0);
    const [marker, value] = Object.entries(markers[index] ?? {})[0] ?? [];
    const dir = join(synthesised.app.outdir, `asset.${keys[index]?.replace(/\.zip$/, '')}`);
    const staged = join(dir, 'overlay', 'config.json');

    expect(value).toStrictEqual({ 'Fn::GetAtt': [apiId, 'ApiEndpoint'] });
    expect(existsSync(staged), staged).toBe(true);
    expect(JSON.parse(readFileSync(staged, 'utf8'))).toStrictEqual({
      apiUrl: marker,
      localIssuer: false,
      liveEvents: false,
      embedOrigins: [],
    });
  });

  it('shares the console’s headers (no framing) when no player page may embed it', () => {
    expect(distributionConfig().CacheBehaviors).toBeUndefined();
  });

  it('may be framed by the player pages admitted by CORS, and only on overlay/*', () => {
    const app = new App({ ...TEMPLATE_ONLY, outdir: newOutdir() });
    const stack = new LivedropStack(app, 'Test', {
      issuer: ISSUER,
      audience: AUDIENCE,
      consoleSite: {},
      allowedOrigins: ['https://player.example'],
      liveCdn: false,
    });
    const template = Template.fromStack(stack);
    const [, distribution] = onlyResourceOfType(template, 'AWS::CloudFront::Distribution');
    const config = distribution.Properties.DistributionConfig as {
      DefaultCacheBehavior: Record<string, unknown>;
      CacheBehaviors: Record<string, unknown>[];
    };
    const policies = resourcesOfType(template, 'AWS::CloudFront::ResponseHeadersPolicy');
    const headersOf = (behavior: Record<string, unknown>) => {
      const policy = policies[pointsAt(behavior.ResponseHeadersPolicyId) ?? ''];
      if (!policy) throw new Error('a behaviour without its headers policy');
      const config = policy.Properties.ResponseHeadersPolicyConfig as Record<string, Record<string, unknown>>;
      return config.SecurityHeadersConfig ?? {};
    };
    const [overlay] = config.CacheBehaviors;
    if (!overlay) throw new Error('no overlay behaviour');

    expect(overlay.PathPattern).toBe('overlay/*');
    expect(overlay.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(JSON.stringify(headersOf(overlay).ContentSecurityPolicy)).toContain(
      'frame-ancestors https://player.example',
    );
    expect(headersOf(overlay).FrameOptions).toBeUndefined();
    expect(headersOf(overlay).StrictTransportSecurity).toMatchObject({ IncludeSubdomains: true });
    expect(JSON.stringify(headersOf(config.DefaultCacheBehavior).ContentSecurityPolicy)).toContain(
      "frame-ancestors 'none'",
    );
    expect(headersOf(config.DefaultCacheBehavior).FrameOptions).toMatchObject({ FrameOption: 'DENY' });
  });
});

describe('the viewer overlay with the live view’s distribution (liveCdn, on by default)', () => {
  const withCdn = synthWithConsole({}, true);
  const stack = withCdn.stack;
  const site = stack.engine.consoleSite;
  const cdn = stack.engine.liveCdn;
  if (!site || !cdn) throw new Error('the stack has no console site or no live CDN');
  const siteId = logicalIdOf(stack, site.distribution);
  const cdnDomain = { 'Fn::GetAtt': [logicalIdOf(stack, cdn.distribution), 'DomainName'] };
  const policies = resourcesOfType(withCdn.template, 'AWS::CloudFront::ResponseHeadersPolicy');
  const cspOf = (behavior: Record<string, unknown> | undefined) => {
    const policy = policies[pointsAt(behavior?.ResponseHeadersPolicyId) ?? ''];
    const config = policy?.Properties.ResponseHeadersPolicyConfig as Record<string, Record<string, unknown>>;
    return JSON.stringify(config?.SecurityHeadersConfig?.ContentSecurityPolicy);
  };
  const siteConfig = resource(withCdn.template, siteId).Properties.DistributionConfig as {
    DefaultCacheBehavior: Record<string, unknown>;
    CacheBehaviors?: Record<string, unknown>[];
  };

  it('writes the CDN’s LiveUrl into overlay/config.json, for the overlay to poll the live state there', () => {
    const props = onlyResourceOfType(withCdn.template, 'Custom::CDKBucketDeployment')[1].Properties;
    const markers = props.SourceMarkers as Record<string, unknown>[];
    const keys = props.SourceObjectKeys as string[];
    const index = markers.findLastIndex((marker) => Object.keys(marker).length > 0);
    const dir = join(withCdn.app.outdir, `asset.${keys[index]?.replace(/\.zip$/, '')}`);
    // What the deployment writes: each marker in the staged file's strings replaced by the value it stands for.
    const written = JSON.parse(readFileSync(join(dir, 'overlay', 'config.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    for (const [field, text] of Object.entries(written)) {
      if (typeof text !== 'string') continue;
      let value = text;
      for (const [marker, stands] of Object.entries(markers[index] ?? {})) {
        value = value.replaceAll(marker, `<${JSON.stringify(stands)}>`);
      }
      written[field] = value;
    }
    const apiId = onlyResourceOfType(withCdn.template, 'AWS::ApiGatewayV2::Api')[0];

    expect(written).toStrictEqual({
      apiUrl: `<${JSON.stringify({ 'Fn::GetAtt': [apiId, 'ApiEndpoint'] })}>`,
      liveUrl: `https://<${JSON.stringify(cdnDomain)}>/streams/{streamId}/live`,
      localIssuer: false,
      liveEvents: false,
      embedOrigins: [],
    });
  });

  it('lets the overlay’s CSP connect to CloudFront, on overlay/* only: the console’s own CSP stays as it was', () => {
    const overlay = siteConfig.CacheBehaviors?.find((behavior) => behavior.PathPattern === 'overlay/*');

    expect(cspOf(overlay)).toMatch(
      /connect-src 'self' https:\/\/\*\.execute-api\.[^;]* https:\/\/\*\.cloudfront\.net;/,
    );
    expect(cspOf(overlay)).toContain("frame-ancestors 'none'");
    expect(cspOf(siteConfig.DefaultCacheBehavior)).not.toContain('cloudfront.net');
  });

  it('has the CDN admit the console’s origin by CORS, where the overlay lives', () => {
    const live = resource(withCdn.template, logicalIdOf(stack, cdn.responseHeadersPolicy)).Properties
      .ResponseHeadersPolicyConfig as { CorsConfig?: { AccessControlAllowOrigins: { Items: unknown[] } } };

    expect(live.CorsConfig?.AccessControlAllowOrigins.Items).toStrictEqual([
      { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [siteId, 'DomainName'] }]] },
    ]);
  });
});

describe('the API with the console', () => {
  it('admits cross-origin calls from the console’s origin only, with the headers the page sends', () => {
    const cors = resources()[apiId]?.Properties.CorsConfiguration as Record<string, unknown>;

    expect(cors.AllowOrigins).toStrictEqual([
      { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]] },
    ]);
    expect(cors.AllowHeaders).toStrictEqual([
      'authorization',
      'content-type',
      'idempotency-key',
      'if-none-match',
    ]);
    expect(cors.AllowMethods).toStrictEqual(['GET', 'POST', 'DELETE']);
    expect(cors.AllowCredentials).toBeUndefined();
  });

  it('outputs the console URL', () => {
    expect(synthesised.template.toJSON().Outputs.ConsoleUrl.Value).toStrictEqual({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]],
    });
  });

  it('has neither the site nor CORS when the console is off', () => {
    const { template } = synthLivedrop({ liveCdn: false });

    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourceCountIs('AWS::CloudFront::Distribution', 0);
    expect(
      onlyResourceOfType(template, 'AWS::ApiGatewayV2::Api')[1].Properties.CorsConfiguration,
    ).toBeUndefined();
  });
});

interface NagReport {
  pluginReports: {
    pluginName: string;
    violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[];
    suppressedViolations?: { acknowledgedId?: string; reason?: string; acknowledgedAt?: string }[];
  }[];
}

/** As bin/app.ts builds it, with the console on (and the live view's distribution off, as above). */
const nagRun = (acknowledge: boolean, consoleSite: ConsoleSiteProps = {}) => {
  const outdir = newOutdir();
  const app = new App({ outdir, context: NO_BUNDLING });
  const stack = new LivedropStack(app, 'Livedrop', {
    issuer: ISSUER,
    audience: AUDIENCE,
    consoleSite,
    liveCdn: false,
  });
  if (acknowledge) acknowledgeNagFindings(stack.engine);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  let error: Error | undefined;
  try {
    app.synth();
  } catch (thrown) {
    error = thrown as Error;
  }
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as NagReport;
  const nag = report.pluginReports.find(({ pluginName }) => pluginName === 'AwsSolutions');
  if (!nag) throw new Error('cdk-nag did not report');
  const site = stack.engine.consoleSite;
  if (!site) throw new Error('no console site');
  return { error, nag, acks: consoleNagAcknowledgements(site) };
};

describe('cdk-nag with the console', () => {
  it('leaves no unacknowledged finding, and uses every console acknowledgement with its reason', () => {
    const { error, nag, acks } = nagRun(true);
    const used = new Set(
      (nag.suppressedViolations ?? []).map(({ acknowledgedId, reason }) => `${acknowledgedId} ${reason}`),
    );

    expect(error).toBeUndefined();
    expect(nag.violations).toStrictEqual([]);
    for (const [key, { id, reason }] of Object.entries(acks)) {
      expect(used.has(`${id} ${reason}`), key).toBe(true);
      expect(reason.length, key).toBeGreaterThan(60);
    }
  });

  it('without the acknowledgements, fails on the console’s findings (and the stack’s own)', () => {
    const { error, nag, acks } = nagRun(false);
    const found = nag.violations.map(({ ruleName }) => `AwsSolutions::${ruleName}`);

    expect(error).toBeInstanceOf(Error);
    for (const { id } of Object.values(acks)) expect(found).toContain(id);
    // Nothing of the console is wildcard beyond the two object paths acknowledged by name.
    expect(found.filter((id) => id.includes('IAM5') && id.includes('Console'))).toStrictEqual([
      acks.consoleBucketObjects.id,
    ]);
    expect(found.filter((id) => id.includes('Action::s3:'))).toStrictEqual([]);
  });

  it('with a custom domain the TLS finding is gone, and its acknowledgement is not applied', () => {
    const { error, nag, acks } = nagRun(true, {
      domain: {
        name: 'console.example.com',
        certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
      },
    });

    expect(error).toBeUndefined();
    expect(nag.violations).toStrictEqual([]);
    expect((nag.suppressedViolations ?? []).map(({ acknowledgedId }) => acknowledgedId)).not.toContain(
      acks.defaultCertificateTls.id,
    );
  });
});
