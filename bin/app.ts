import { App } from 'aws-cdk-lib';
import { LivedropStack } from '../lib/livedrop-stack.js';

const app = new App();
const deletionProtection = app.node.tryGetContext('livedrop:deletionProtection');
new LivedropStack(app, 'Livedrop', {
  ...(deletionProtection === undefined ? {} : { deletionProtection: String(deletionProtection) !== 'false' }),
});
