import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { listFromContext } from '../lib/cdk/livedrop.js';
import { LivedropStack } from '../lib/cdk/livedrop-stack.js';
import { acknowledgeNagFindings } from '../lib/cdk/nag.js';

const app = new App();
const context = (key: string): string | undefined => {
  const value = app.node.tryGetContext(key);
  return value === undefined ? undefined : String(value);
};
const issuer = context('issuer');
// Every app client whose tokens pass: -c audience=<web client id>,<checkout client id> (or a list in cdk.json).
const audience = listFromContext(app.node.tryGetContext('audience'));
if (!issuer || audience.length === 0) {
  throw new Error(
    'Pass the JWT issuer and audience: npx cdk deploy -c issuer=https://... -c audience=<client id>,...',
  );
}
// The host console's static site is part of the deployment unless turned off; a custom domain needs both.
const consoleDomain = context('livedrop:consoleDomain');
const consoleCertificateArn = context('livedrop:consoleCertificateArn');
if ((consoleDomain === undefined) !== (consoleCertificateArn === undefined)) {
  throw new Error(
    'Pass both livedrop:consoleDomain and livedrop:consoleCertificateArn (us-east-1), or neither.',
  );
}
// Viewer-facing web origins: -c allowedOrigins=https://shop.example,https://player.example (or a list in cdk.json).
const allowedOrigins = listFromContext(app.node.tryGetContext('allowedOrigins'));
// The IVS channels timed metadata may go into: -c ivsChannelArns=arn:...,arn:... (default: the account's channels).
const ivsChannelArns = listFromContext(app.node.tryGetContext('ivsChannelArns'));
const originShieldRegion = context('livedrop:originShieldRegion');
const stack = new LivedropStack(app, 'Livedrop', {
  issuer,
  audience,
  allowedOrigins,
  ...(ivsChannelArns.length > 0 ? { ivsChannelArns } : {}),
  deletionProtection: context('livedrop:deletionProtection') !== 'false',
  // The live state behind CloudFront, unless turned off; Origin Shield's region for a stack in a region the
  // construct's table does not know.
  liveCdn:
    context('livedrop:liveCdn') === 'false'
      ? false
      : { ...(originShieldRegion === undefined ? {} : { originShieldRegion }) },
  ...(context('livedrop:console') === 'false'
    ? {}
    : {
        consoleSite:
          consoleDomain && consoleCertificateArn
            ? { domain: { name: consoleDomain, certificateArn: consoleCertificateArn } }
            : {},
      }),
});
acknowledgeNagFindings(stack.engine);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
