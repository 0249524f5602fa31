import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { buildApp, type FollowthroughApp } from '../../../infra/build-app';
import { projectRoot } from '../../../infra/bundling';

/** The context a fresh clone synthesizes with: cdk.json's, as the CDK CLI would pass it. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

export interface SynthesizedApp extends FollowthroughApp {
  app: App;
  assembly: CloudAssembly;
  dataTemplate: Template;
  serviceTemplate: Template;
}

/**
 * Builds and synthesizes the whole app, as `cdk synth` does, cdk-nag included. Bundling is skipped
 * (`aws:cdk:bundling-stacks`): the stacks are under test here, and tests/infra/bundles.test.ts builds every entry
 * with the very settings the construct hands to esbuild. A nag error makes `synth()` throw with its report.
 */
export function synthesizeApp(context: Record<string, unknown> = {}): SynthesizedApp {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context } });
  const built = buildApp(app);
  const assembly = app.synth();
  return {
    ...built,
    app,
    assembly,
    dataTemplate: Template.fromStack(built.data),
    serviceTemplate: Template.fromStack(built.service),
  };
}
