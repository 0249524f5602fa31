import { App } from 'aws-cdk-lib';
import { DataStack } from './stacks/data-stack';

const app = new App();
new DataStack(app, 'FollowthroughData', {
  env: { account: app.node.tryGetContext('account'), region: app.node.tryGetContext('region') },
});
