import { type App, type Environment, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readSettings, type Settings } from './settings';
import { DataStack } from './stacks/data-stack';
import { ServiceStack } from './stacks/service-stack';

export interface FollowthroughApp {
  settings: Settings;
  data: DataStack;
  service: ServiceStack;
}

/**
 * The whole app on a given `App`, so that tests build exactly what `cdk synth` does. cdk-nag's AwsSolutions rules
 * run as a CDK validation plugin: an unacknowledged error fails the synth, and every acknowledgment carries its
 * reason next to the resource it concerns.
 */
export function buildApp(app: App): FollowthroughApp {
  const settings = readSettings(app.node);
  // Without an account or region the stacks stay environment-agnostic, which is enough to synthesize offline.
  const env: Environment = {
    ...(settings.account === undefined ? {} : { account: settings.account }),
    ...(settings.region === undefined ? {} : { region: settings.region }),
  };
  const data = new DataStack(app, 'FollowthroughData', {
    env,
    description: 'followthrough: tables, raw mail, SES configuration set, schedule group, secrets (retained)',
    rawMailRetentionDays: settings.rawMailRetentionDays,
  });
  const service = new ServiceStack(app, 'FollowthroughService', {
    env,
    description: 'followthrough: functions, HTTP API, mail receiving, scheduling, alarms',
    data,
    settings,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { settings, data, service };
}
