import { Aws, CfnMapping, Duration, Stack, Token } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CacheCookieBehavior,
  CachedMethods,
  CacheHeaderBehavior,
  CachePolicy,
  CacheQueryStringBehavior,
  Distribution,
  Function as EdgeFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestCookieBehavior,
  OriginRequestHeaderBehavior,
  OriginRequestPolicy,
  OriginRequestQueryStringBehavior,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { cdnLogBucket, securityHeaders } from './cdn-defaults.js';

/** The only paths the distribution passes to the API: a stream's public live state. */
export const LIVE_PATH_PATTERN = '/streams/*/live';

/**
 * Regions where CloudFront offers Origin Shield (CloudFront Developer Guide, "Choosing the AWS Region for Origin
 * Shield"). An API in one of them gets its Origin Shield in the same region.
 */
export const ORIGIN_SHIELD_REGIONS: readonly string[] = [
  'us-east-1',
  'us-east-2',
  'us-west-2',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'eu-central-1',
  'eu-west-1',
  'eu-west-2',
  'sa-east-1',
];

/** The same guide's choice for an origin in a region without Origin Shield: the one with the lowest latency to it. */
export const NEAREST_ORIGIN_SHIELD_REGION: Readonly<Record<string, string>> = {
  'us-west-1': 'us-west-2',
  'af-south-1': 'eu-west-1',
  'ap-east-1': 'ap-southeast-1',
  'ca-central-1': 'us-east-1',
  'eu-south-1': 'eu-central-1',
  'eu-west-3': 'eu-west-2',
  'eu-north-1': 'eu-west-2',
  'me-south-1': 'ap-south-1',
};

/** Origin Shield for an API in `region`, or undefined when the table above does not know the region. */
export const originShieldRegionFor = (region: string): string | undefined =>
  ORIGIN_SHIELD_REGIONS.includes(region) ? region : NEAREST_ORIGIN_SHIELD_REGION[region];

/**
 * Answers every request outside the live path itself, at the edge: nothing else of the API is reachable through
 * the distribution, and no such request reaches the API. The body is API Gateway's own 404 body.
 */
const NOT_FOUND_FUNCTION = `function handler(event) {
  return {
    statusCode: 404,
    statusDescription: 'Not Found',
    headers: {
      'content-type': { value: 'application/json' },
      'cache-control': { value: 'no-store' },
    },
    body: { encoding: 'text', data: '{"message":"Not Found"}' },
  };
}`;

export interface LiveCdnProps {
  /** The HTTP API's domain, `<api id>.execute-api.<region>.amazonaws.com` (no scheme, no path): the origin. */
  readonly apiDomain: string;
  /**
   * Web origins whose pages may read the live state from a browser (already checked by the caller). CloudFront
   * answers them with its own CORS headers. Default: none, and no CORS headers at all.
   */
  readonly allowedOrigins?: readonly string[];
  /** Where the edge locations serving viewers may be. Default PRICE_CLASS_100 (North America, Europe, Israel). */
  readonly priceClass?: PriceClass;
  /**
   * The region of Origin Shield. Default: the stack's region when CloudFront offers Origin Shield there, otherwise
   * the region the CloudFront guide names for it (`originShieldRegionFor`); required for a region neither names.
   */
  readonly originShieldRegion?: string;
}

/**
 * The public live state of every stream behind CloudFront, so a gala's audience polling once a second costs the
 * API about one request per second per stream instead of one per viewer. One cache behaviour, LIVE_PATH_PATTERN,
 * goes to the HTTP API over HTTPS through Origin Shield; the cache key is the path alone (no cookies, no
 * Authorization, no query string), the TTL follows the answer's Cache-Control within 0..2 s. Every other path
 * gets 404 from a CloudFront Function at the edge. Standard logs go to their own bucket.
 */
export class LiveCdn extends Construct {
  readonly distribution: Distribution;
  readonly cachePolicy: CachePolicy;
  readonly responseHeadersPolicy: ResponseHeadersPolicy;
  readonly notFoundFunction: EdgeFunction;
  readonly logBucket: Bucket;
  /** Only with allowed origins: passes the CORS request headers on, so the API answers preflights itself. */
  readonly corsForwarding?: OriginRequestPolicy;
  /** `https://<distribution domain>/streams/{streamId}/live`, with `{streamId}` left for the caller to fill in. */
  readonly liveUrl: string;

  constructor(scope: Construct, id: string, props: LiveCdnProps) {
    super(scope, id);
    const origins = [...(props.allowedOrigins ?? [])];

    this.cachePolicy = new CachePolicy(this, 'LiveCache', {
      comment: 'livedrop live state: the path only; TTL from Cache-Control, 0..2 s',
      // With min 0 the origin's max-age=1 is what counts; without Cache-Control the default of 1 s applies, and
      // nothing stays longer than 2 s whatever the origin says.
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(1),
      maxTtl: Duration.seconds(2),
      cookieBehavior: CacheCookieBehavior.none(),
      headerBehavior: CacheHeaderBehavior.none(),
      queryStringBehavior: CacheQueryStringBehavior.none(),
      // Compressed and plain copies are kept apart by the normalised Accept-Encoding, not by viewers' headers.
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });

    this.responseHeadersPolicy = new ResponseHeadersPolicy(this, 'LiveHeaders', {
      comment:
        origins.length > 0
          ? 'livedrop live state: CORS for the allowed origins, security headers'
          : 'livedrop live state: security headers, no CORS',
      securityHeadersBehavior: securityHeaders("default-src 'none'; frame-ancestors 'none'"),
      ...(origins.length > 0
        ? {
            corsBehavior: {
              accessControlAllowOrigins: origins,
              accessControlAllowMethods: ['GET', 'HEAD', 'OPTIONS'],
              // A page may revalidate by hand; a plain GET needs no preflight at all.
              accessControlAllowHeaders: ['if-none-match'],
              accessControlExposeHeaders: ['etag'],
              accessControlAllowCredentials: false,
              accessControlMaxAge: Duration.hours(1),
              // CloudFront's answer, not whatever the cached copy carried from the API for another origin.
              originOverride: true,
            },
          }
        : {}),
    });

    if (origins.length > 0) {
      // API Gateway answers a preflight only when it sees Origin and Access-Control-Request-Method. These headers
      // reach the origin but stay out of the cache key; OPTIONS answers are not cached.
      this.corsForwarding = new OriginRequestPolicy(this, 'CorsForwarding', {
        comment: 'livedrop live state: CORS request headers to the API, for its preflight answers',
        cookieBehavior: OriginRequestCookieBehavior.none(),
        headerBehavior: OriginRequestHeaderBehavior.allowList(
          'origin',
          'access-control-request-method',
          'access-control-request-headers',
        ),
        queryStringBehavior: OriginRequestQueryStringBehavior.none(),
      });
    }

    this.notFoundFunction = new EdgeFunction(this, 'NotFound', {
      comment: 'livedrop: 404 for every path but the live state',
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(NOT_FOUND_FUNCTION),
    });

    const api = new HttpOrigin(props.apiDomain, {
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
      originShieldEnabled: true,
      originShieldRegion: props.originShieldRegion ?? this.defaultOriginShieldRegion(),
    });
    this.logBucket = cdnLogBucket(this, 'AccessLogs');
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'livedrop live state of streams',
      defaultBehavior: {
        origin: api,
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        responseHeadersPolicy: this.responseHeadersPolicy,
        functionAssociations: [
          { function: this.notFoundFunction, eventType: FunctionEventType.VIEWER_REQUEST },
        ],
      },
      additionalBehaviors: {
        [LIVE_PATH_PATTERN]: {
          origin: api,
          viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
          cachedMethods: CachedMethods.CACHE_GET_HEAD,
          cachePolicy: this.cachePolicy,
          ...(this.corsForwarding ? { originRequestPolicy: this.corsForwarding } : {}),
          responseHeadersPolicy: this.responseHeadersPolicy,
          compress: true,
        },
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: props.priceClass ?? PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
    });
    this.liveUrl = `https://${this.distribution.distributionDomainName}/streams/{streamId}/live`;
  }

  /**
   * The stack's region, or the guide's nearest one; for a stack without a fixed region, the same choice made at
   * deploy time from a mapping (a region the mapping lacks fails the deployment before anything changes).
   */
  private defaultOriginShieldRegion(): string {
    const region = Stack.of(this).region;
    if (!Token.isUnresolved(region)) {
      const chosen = originShieldRegionFor(region);
      if (chosen === undefined) {
        throw new Error(
          `LiveCdn: no Origin Shield region known for ${region}; pass originShieldRegion (one of ` +
            `${ORIGIN_SHIELD_REGIONS.join(', ')}), the one with the lowest latency to the API`,
        );
      }
      return chosen;
    }
    const mapping: Record<string, Record<string, string>> = {};
    for (const offered of ORIGIN_SHIELD_REGIONS) mapping[offered] = { region: offered };
    for (const [from, to] of Object.entries(NEAREST_ORIGIN_SHIELD_REGION)) mapping[from] = { region: to };
    return new CfnMapping(this, 'OriginShieldRegions', { mapping }).findInMap(Aws.REGION, 'region');
  }
}
