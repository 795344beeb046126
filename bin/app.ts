import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { LivedropStack } from '../lib/livedrop-stack.js';
import { acknowledgeNagFindings } from '../lib/nag.js';

const app = new App();
const context = (key: string): string | undefined => {
  const value = app.node.tryGetContext(key);
  return value === undefined ? undefined : String(value);
};
const issuer = context('issuer');
const audience = context('audience');
if (!issuer || !audience) {
  throw new Error('Pass the JWT issuer and audience: npx cdk deploy -c issuer=https://... -c audience=...');
}
const stack = new LivedropStack(app, 'Livedrop', {
  issuer,
  audience,
  deletionProtection: context('livedrop:deletionProtection') !== 'false',
});
acknowledgeNagFindings(stack);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
