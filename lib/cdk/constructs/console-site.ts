import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AssetHashType, Aws, DockerImage, RemovalPolicy } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HttpVersion,
  type IOrigin,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  SSLMethod,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { buildConsoleSync, CONSOLE_SOURCE_DIR, consoleCsp } from '../../console/build.js';
import { buildOverlaySync, type OverlayConfig } from '../../overlay/build.js';
import { cdnLogBucket, securityHeaders } from './cdn-defaults.js';

/**
 * The deployed page may call API Gateway in this region. The exact API URL cannot be named: the API's CORS
 * names this distribution, so the distribution naming the API would be a dependency cycle.
 */
const API_GATEWAY_ORIGINS = [`https://*.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`];

/**
 * The overlay may also read the live state's CloudFront distribution (LiveCdn). Not by its name, for the same kind
 * of cycle: that distribution's CORS admits this site's origin, where the overlay lives.
 */
const LIVE_CDN_ORIGINS = ['https://*.cloudfront.net'];

export interface ConsoleSiteProps {
  /**
   * A custom domain for the console and its ACM certificate (in us-east-1, as CloudFront requires). With it
   * viewers need TLS 1.2; on the default *.cloudfront.net certificate CloudFront still accepts TLS 1.0.
   */
  domain?: { name: string; certificateArn: string };
  logRetention?: RetentionDays;
  /**
   * Origins of the player pages that may frame the viewer overlay (overlay/) and post IVS timed metadata to
   * it, such as `https://shop.example`. Default none: nobody may frame it, as the console.
   */
  overlayEmbedOrigins?: readonly string[];
}

/** What the page reads from config.json next to it. */
export interface ConsoleConfig {
  apiUrl: string;
  localIssuer: false;
}

/**
 * The host console as a static site: a private, encrypted, TLS-only bucket that only this CloudFront
 * distribution may read (origin access control), HTTPS only, security headers with a CSP that lets the page
 * talk to API Gateway in this region and nothing else, access logs for both. `deploy` uploads the page
 * with a config.json that points it at the API; it comes after the API exists, because the API's CORS
 * settings need this site's origin first.
 */
export class ConsoleSite extends Construct {
  readonly bucket: Bucket;
  readonly logBucket: Bucket;
  readonly distribution: Distribution;
  /** https://<domain>: the only origin the API's CORS admits. */
  readonly origin: string;
  /** Whether viewers reach it on a custom domain with its own certificate (TLS 1.2 minimum). */
  readonly customDomain: boolean;
  /** The role the deployment's handler runs as; set by `deploy`. */
  deploymentRole?: Role;
  /** The viewer overlay's own headers (overlay/*), set by `deploy` when it differs from the console's. */
  overlayHeaders?: ResponseHeadersPolicy;
  private readonly logRetention: RetentionDays;
  private readonly overlayEmbedOrigins: readonly string[];
  private readonly bucketOrigin: IOrigin;

  constructor(scope: Construct, id: string, props: ConsoleSiteProps = {}) {
    super(scope, id);
    this.logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    this.overlayEmbedOrigins = props.overlayEmbedOrigins ?? [];

    this.logBucket = cdnLogBucket(this, 'AccessLogs');
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 's3/',
      // Only build output lives here; the deployment below empties it when the stack goes.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'livedrop console: CSP, HSTS, nosniff, no framing, no referrer',
      securityHeadersBehavior: securityHeaders(consoleCsp(API_GATEWAY_ORIGINS)),
    });
    this.bucketOrigin = S3BucketOrigin.withOriginAccessControl(this.bucket);
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'livedrop host console',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: this.bucketOrigin,
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      ...(props.domain
        ? {
            domainNames: [props.domain.name],
            certificate: Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn),
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
            sslSupportMethod: SSLMethod.SNI,
          }
        : {}),
    });
    this.origin = `https://${props.domain?.name ?? this.distribution.distributionDomainName}`;
    this.customDomain = props.domain !== undefined;
  }

  /**
   * Uploads the page (app.ts bundled at synth, like the functions), the viewer overlay under overlay/, and a
   * config.json for each naming the API, and for the overlay the live state's CloudFront URL (`liveUrl`, the
   * LiveCdn's, `{streamId}` to fill in) when there is one. The overlay's headers follow from the same call: its
   * CSP admits that distribution only when its config names one. Files go up with `no-cache`, so CloudFront
   * revalidates them with S3 instead of needing an invalidation (which would take cloudfront:CreateInvalidation on
   * every distribution in the account).
   */
  deploy(config: { apiUrl: string; liveUrl?: string }): BucketDeployment {
    this.addOverlayHeaders(config.liveUrl !== undefined);
    const logGroup = new LogGroup(this, 'DeploymentLogs', {
      retention: this.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Its own role instead of the managed AWSLambdaBasicExecutionRole: it may write to its own log group only.
    const role = new Role(this, 'DeploymentRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'livedrop console deployment: copies the page into the console bucket',
    });
    this.deploymentRole = role;
    role.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    // The page, bundled at synth like the functions (esbuild, no Docker).
    const page = new Asset(this, 'Page', {
      path: CONSOLE_SOURCE_DIR,
      // The bundles pull in code from outside lib/console (functions/shared/domain, lib/overlay): hash what they produced.
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Never used: the local bundling below always succeeds.
        image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:20-slim'),
        local: {
          tryBundle(outputDir: string) {
            for (const [name, file] of buildConsoleSync()) writeFileSync(join(outputDir, name), file.body);
            // The viewer overlay beside it, at overlay/ (https://<console>/overlay/index.html?stream=...).
            mkdirSync(join(outputDir, 'overlay'), { recursive: true });
            for (const [name, file] of buildOverlaySync())
              writeFileSync(join(outputDir, 'overlay', name), file.body);
            return true;
          },
        },
      },
    });
    // Exactly what the deployment handler of this aws-cdk-lib version calls, instead of the wildcard
    // actions BucketDeployment grants (s3:GetObject*, s3:List*, s3:DeleteObject*, s3:Abort*...): it copies
    // the source zips (aws s3 cp), syncs them into the bucket with --delete (aws s3 sync), and on delete
    // reads the bucket's tags and empties it (aws s3 rm).
    role.addToPolicy(
      new PolicyStatement({
        sid: 'ReadSourceZips',
        actions: ['s3:GetObject'],
        // Source.jsonData makes its own asset inside BucketDeployment, so its key is not known here.
        resources: [page.bucket.arnForObjects('*')],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        sid: 'ListConsoleBucket',
        actions: ['s3:ListBucket', 's3:GetBucketTagging'],
        resources: [this.bucket.bucketArn],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        sid: 'WriteConsoleFiles',
        actions: ['s3:PutObject', 's3:DeleteObject'],
        resources: [this.bucket.arnForObjects('*')],
      }),
    );
    const consoleConfig: ConsoleConfig = { apiUrl: config.apiUrl, localIssuer: false };
    // Deployed, live data comes from IVS timed metadata and polling (through the CDN when there is one); the SSE
    // stand-in is local only.
    const overlayConfig: OverlayConfig = {
      apiUrl: config.apiUrl,
      ...(config.liveUrl === undefined ? {} : { liveUrl: config.liveUrl }),
      localIssuer: false,
      liveEvents: false,
      embedOrigins: [...this.overlayEmbedOrigins],
    };
    return new BucketDeployment(this, 'Deployment', {
      sources: [
        Source.bucket(page.bucket, page.s3ObjectKey),
        Source.jsonData('config.json', consoleConfig),
        Source.jsonData('overlay/config.json', overlayConfig),
      ],
      destinationBucket: this.bucket,
      prune: true,
      retainOnDelete: false,
      cacheControl: [CacheControl.noCache()],
      // Immutable: BucketDeployment's own wildcard grants are dropped; the statements above are the policy.
      role: role.withoutPolicyUpdates(),
      logGroup,
      memoryLimit: 256,
    });
  }

  /**
   * The overlay shares the console's headers unless player pages may frame it or it reads the live CDN: then
   * overlay/* gets its own, so the console's CSP stays as narrow as the console needs.
   */
  private addOverlayHeaders(readsLiveCdn: boolean): void {
    if (this.overlayEmbedOrigins.length === 0 && !readsLiveCdn) return;
    const framed = this.overlayEmbedOrigins.length > 0;
    const connect = [...API_GATEWAY_ORIGINS, ...(readsLiveCdn ? LIVE_CDN_ORIGINS : [])];
    this.overlayHeaders = new ResponseHeadersPolicy(this, 'OverlaySecurityHeaders', {
      comment: `livedrop viewer overlay: CSP (${[
        framed ? 'framed only by the player pages' : 'no framing',
        ...(readsLiveCdn ? ['the live CDN'] : []),
      ].join(', ')}), HSTS, nosniff, no referrer`,
      securityHeadersBehavior: securityHeaders(consoleCsp(connect, this.overlayEmbedOrigins), framed),
    });
    this.distribution.addBehavior('overlay/*', this.bucketOrigin, {
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy: CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: this.overlayHeaders,
      compress: true,
    });
  }
}
