/**
 * The public live state behind CloudFront (issue 15): one behaviour for the live path (`/streams/{streamId}/live`)
 * to the HTTP API over HTTPS through Origin Shield, cached by path alone for at most 2 s, everything else answered
 * 404 at the edge, CORS only for the allowed origins (and the console's, for the overlay), standard logs, and the
 * `LiveUrl` output.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  LIVE_PATH_PATTERN,
  LiveCdn,
  NEAREST_ORIGIN_SHIELD_REGION,
  ORIGIN_SHIELD_REGIONS,
  originShieldRegionFor,
} from '../../lib/cdk/constructs/live-cdn.js';
import { type Json, logicalIdOf, onlyResourceOfType, pointsAt, resource, synthLivedrop } from './support.js';

const SHOP = 'https://shop.example';
const PLAYER = 'https://player.example:8443';

interface Behavior extends Json {
  PathPattern?: string;
  AllowedMethods?: string[];
  CachedMethods?: string[];
  CachePolicyId?: unknown;
  OriginRequestPolicyId?: unknown;
  ResponseHeadersPolicyId?: unknown;
  ViewerProtocolPolicy?: string;
  Compress?: boolean;
  FunctionAssociations?: { EventType: string; FunctionARN: unknown }[];
  TargetOriginId?: string;
}

interface DistributionConfig extends Json {
  DefaultCacheBehavior: Behavior;
  CacheBehaviors?: Behavior[];
  Origins: Json[];
}

const synth = (props: Parameters<typeof synthLivedrop>[0] = {}) => {
  const synthesised = synthLivedrop(props);
  const cdn = synthesised.stack.engine.liveCdn;
  if (cdn === undefined) throw new Error('the stack has no live CDN');
  const distributionId = logicalIdOf(synthesised.stack, cdn.distribution);
  const config = resource(synthesised.template, distributionId).Properties
    .DistributionConfig as DistributionConfig;
  const live = config.CacheBehaviors?.find(({ PathPattern }) => PathPattern === LIVE_PATH_PATTERN);
  if (live === undefined) throw new Error(`no behaviour for ${LIVE_PATH_PATTERN}`);
  return { ...synthesised, cdn, distributionId, config, live };
};

const defaults = synth();

describe('the live behaviour', () => {
  it('is the only one besides the default, for /streams/*/live', () => {
    expect(defaults.config.CacheBehaviors?.map(({ PathPattern }) => PathPattern)).toStrictEqual([
      '/streams/*/live',
    ]);
  });

  it('goes to the HTTP API’s execute-api domain, HTTPS only, through Origin Shield', () => {
    const [apiId] = onlyResourceOfType(defaults.template, 'AWS::ApiGatewayV2::Api');
    const [origin] = defaults.config.Origins;

    expect(defaults.config.Origins).toHaveLength(1);
    expect(defaults.live.TargetOriginId).toBe(origin?.Id);
    expect(origin?.DomainName).toStrictEqual({
      'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [apiId, 'ApiEndpoint'] }] }],
    });
    expect(origin?.CustomOriginConfig).toMatchObject({
      OriginProtocolPolicy: 'https-only',
      OriginSSLProtocols: ['TLSv1.2'],
    });
    expect(origin?.OriginShield).toMatchObject({ Enabled: true });
  });

  it('redirects HTTP viewers to HTTPS, takes GET, HEAD and OPTIONS, caches GET and HEAD, compresses', () => {
    expect(defaults.live).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS'],
      CachedMethods: ['GET', 'HEAD'],
      Compress: true,
    });
    expect(defaults.config.HttpVersion).toBe('http2and3');
    expect(defaults.config.PriceClass).toBe('PriceClass_100');
  });

  it('caches for the origin’s max-age within 0..2 s (default 1 s)', () => {
    const cachePolicyId = pointsAt(defaults.live.CachePolicyId);
    const config = resource(defaults.template, String(cachePolicyId)).Properties.CachePolicyConfig as Json;

    expect(cachePolicyId).toBe(logicalIdOf(defaults.stack, defaults.cdn.cachePolicy));
    expect(config.MinTTL).toBe(0);
    expect(config.DefaultTTL).toBe(1);
    expect(config.MaxTTL).toBeLessThanOrEqual(2);
  });

  it('keys the cache on the path alone: no cookies, no headers (Authorization included), no query string', () => {
    const cachePolicyId = String(pointsAt(defaults.live.CachePolicyId));
    const config = resource(defaults.template, cachePolicyId).Properties.CachePolicyConfig as Json;

    expect(config.ParametersInCacheKeyAndForwardedToOrigin).toStrictEqual({
      CookiesConfig: { CookieBehavior: 'none' },
      HeadersConfig: { HeaderBehavior: 'none' },
      QueryStringsConfig: { QueryStringBehavior: 'none' },
      // Only the normalised Accept-Encoding, so compressed and plain copies are kept apart.
      EnableAcceptEncodingGzip: true,
      EnableAcceptEncodingBrotli: true,
    });
    expect(JSON.stringify(config).toLowerCase()).not.toContain('authorization');
    // Without allowed origins nothing at all is forwarded beyond the cache key.
    expect(defaults.live.OriginRequestPolicyId).toBeUndefined();
  });

  it('sends security headers, and no CORS headers without allowed origins', () => {
    const policyId = String(pointsAt(defaults.live.ResponseHeadersPolicyId));
    const config = resource(defaults.template, policyId).Properties.ResponseHeadersPolicyConfig as Json;

    expect(config.CorsConfig).toBeUndefined();
    expect(config.SecurityHeadersConfig).toMatchObject({
      ContentSecurityPolicy: { ContentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'" },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY' },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer' },
      StrictTransportSecurity: { AccessControlMaxAgeSec: 31_536_000, IncludeSubdomains: true },
    });
  });
});

describe('everything else', () => {
  it('is answered 404 at the edge by a CloudFront Function on the default behaviour, never by the API', () => {
    const behavior = defaults.config.DefaultCacheBehavior;
    const functionId = logicalIdOf(defaults.stack, defaults.cdn.notFoundFunction);
    const fn = resource(defaults.template, functionId).Properties;

    expect(behavior.FunctionAssociations).toStrictEqual([
      { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId, 'FunctionARN'] } },
    ]);
    expect(behavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(behavior.AllowedMethods).toStrictEqual(['GET', 'HEAD']);
    expect(fn.FunctionConfig).toMatchObject({ Runtime: 'cloudfront-js-2.0' });
    expect(fn.FunctionCode).toContain('statusCode: 404');
    // It answers every request it sees: no path lets a request through to the origin.
    expect(fn.FunctionCode).not.toContain('event.request');
  });

  it('runs the 404 function: status, JSON body, no caching', () => {
    const code = String(
      resource(defaults.template, logicalIdOf(defaults.stack, defaults.cdn.notFoundFunction)).Properties
        .FunctionCode,
    );
    const handler = new Function(`${code}; return handler;`)() as (event: unknown) => {
      statusCode: number;
      headers: Record<string, { value: string }>;
      body: { encoding: string; data: string };
    };

    const answer = handler({ request: { method: 'GET', uri: '/deals/d1' } });

    expect(answer.statusCode).toBe(404);
    expect(answer.headers['cache-control']?.value).toBe('no-store');
    expect(JSON.parse(answer.body.data)).toStrictEqual({ message: 'Not Found' });
  });
});

describe('logs and output', () => {
  it('writes standard logs to its own private, encrypted, TLS-only bucket', () => {
    const bucketId = logicalIdOf(defaults.stack, defaults.cdn.logBucket);
    const bucket = resource(defaults.template, bucketId).Properties;

    expect(defaults.config.Logging).toMatchObject({
      Bucket: { 'Fn::GetAtt': [bucketId, 'RegionalDomainName'] },
      Prefix: 'cloudfront/',
    });
    expect(bucket.PublicAccessBlockConfiguration).toMatchObject({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
    });
    expect(bucket.BucketEncryption).toBeDefined();
    expect(bucket.OwnershipControls).toMatchObject({ Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] });
  });

  it('outputs LiveUrl: the distribution’s domain and the live path with {streamId} to fill in', () => {
    expect(defaults.template.toJSON().Outputs.LiveUrl.Value).toStrictEqual({
      'Fn::Join': [
        '',
        ['https://', { 'Fn::GetAtt': [defaults.distributionId, 'DomainName'] }, '/streams/{streamId}/live'],
      ],
    });
  });
});

describe('CORS for the allowed origins', () => {
  const withOrigins = synth({ allowedOrigins: [SHOP, PLAYER] });

  it('adds CloudFront’s own CORS headers for exactly those origins, over whatever the API sent', () => {
    const policyId = String(pointsAt(withOrigins.live.ResponseHeadersPolicyId));
    const config = resource(withOrigins.template, policyId).Properties.ResponseHeadersPolicyConfig as Json;

    expect(config.CorsConfig).toStrictEqual({
      AccessControlAllowOrigins: { Items: [SHOP, PLAYER] },
      AccessControlAllowMethods: { Items: ['GET', 'HEAD', 'OPTIONS'] },
      AccessControlAllowHeaders: { Items: ['if-none-match'] },
      AccessControlExposeHeaders: { Items: ['etag'] },
      AccessControlAllowCredentials: false,
      AccessControlMaxAgeSec: 3600,
      OriginOverride: true,
    });
  });

  it('passes the CORS request headers on for the API’s preflight answers, outside the cache key', () => {
    const policyId = String(pointsAt(withOrigins.live.OriginRequestPolicyId));
    const config = resource(withOrigins.template, policyId).Properties.OriginRequestPolicyConfig as Json;
    const cacheConfig = resource(withOrigins.template, String(pointsAt(withOrigins.live.CachePolicyId)))
      .Properties.CachePolicyConfig as Json;

    expect(config).toMatchObject({
      CookiesConfig: { CookieBehavior: 'none' },
      HeadersConfig: {
        HeaderBehavior: 'whitelist',
        Headers: ['origin', 'access-control-request-method', 'access-control-request-headers'],
      },
      QueryStringsConfig: { QueryStringBehavior: 'none' },
    });
    expect(cacheConfig.ParametersInCacheKeyAndForwardedToOrigin).toMatchObject({
      HeadersConfig: { HeaderBehavior: 'none' },
    });
    expect(withOrigins.live.CachedMethods).toStrictEqual(['GET', 'HEAD']);
  });

  it('admits the console’s origin too, where the viewer overlay beside the console polls it', () => {
    const synthesised = synth({ allowedOrigins: [SHOP], consoleSite: {} });
    const policyId = String(pointsAt(synthesised.live.ResponseHeadersPolicyId));
    const config = resource(synthesised.template, policyId).Properties.ResponseHeadersPolicyConfig as Json;
    const site = synthesised.stack.engine.consoleSite;
    if (!site) throw new Error('the stack has no console site');

    expect(config.CorsConfig).toMatchObject({
      AccessControlAllowOrigins: {
        Items: [
          SHOP,
          {
            'Fn::Join': [
              '',
              [
                'https://',
                { 'Fn::GetAtt': [logicalIdOf(synthesised.stack, site.distribution), 'DomainName'] },
              ],
            ],
          },
        ],
      },
    });
  });
});

describe('turned off', () => {
  it('with liveCdn: false there is no distribution, no function, no log bucket and no LiveUrl', () => {
    const { stack, template } = synthLivedrop({ liveCdn: false });

    expect(stack.engine.liveCdn).toBeUndefined();
    template.resourceCountIs('AWS::CloudFront::Distribution', 0);
    template.resourceCountIs('AWS::CloudFront::Function', 0);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    expect(template.toJSON().Outputs.LiveUrl).toBeUndefined();
  });
});

describe('Origin Shield’s region', () => {
  const inRegion = (region: string | undefined, originShieldRegion?: string) => {
    const stack = new Stack(new App(), 'Region', region ? { env: { region, account: '123456789012' } } : {});
    new LiveCdn(stack, 'Live', {
      apiDomain: 'abc123.execute-api.example.amazonaws.com',
      ...(originShieldRegion ? { originShieldRegion } : {}),
    });
    const template = Template.fromStack(stack);
    const [, distribution] = onlyResourceOfType(template, 'AWS::CloudFront::Distribution');
    const [origin] = (distribution.Properties.DistributionConfig as DistributionConfig).Origins;
    return { shield: origin?.OriginShield as Json, mappings: template.toJSON().Mappings as Json | undefined };
  };

  it('is the stack’s region where CloudFront offers Origin Shield', () => {
    expect(inRegion('eu-central-1').shield).toStrictEqual({
      Enabled: true,
      OriginShieldRegion: 'eu-central-1',
    });
  });

  it('is the guide’s nearest one elsewhere (Paris and Stockholm: London)', () => {
    expect(inRegion('eu-west-3').shield.OriginShieldRegion).toBe('eu-west-2');
    expect(inRegion('eu-north-1').shield.OriginShieldRegion).toBe('eu-west-2');
    for (const [from, to] of Object.entries(NEAREST_ORIGIN_SHIELD_REGION)) {
      expect(ORIGIN_SHIELD_REGIONS, from).toContain(to);
      expect(originShieldRegionFor(from)).toBe(to);
    }
  });

  it('is chosen at deploy time from a mapping of the same table when the stack has no fixed region', () => {
    const { shield, mappings } = inRegion(undefined);
    const [mappingId, mapping] = Object.entries(mappings ?? {})[0] ?? [];

    expect(shield.OriginShieldRegion).toStrictEqual({
      'Fn::FindInMap': [mappingId, { Ref: 'AWS::Region' }, 'region'],
    });
    expect(mapping).toMatchObject({
      'eu-central-1': { region: 'eu-central-1' },
      'eu-west-3': { region: 'eu-west-2' },
    });
  });

  it('fails synth for a region the table does not know, unless given', () => {
    expect(() => inRegion('eu-south-2')).toThrow(/no Origin Shield region known for eu-south-2/);
    expect(inRegion('eu-south-2', 'eu-central-1').shield.OriginShieldRegion).toBe('eu-central-1');
  });
});
