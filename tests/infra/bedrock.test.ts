import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { EXTRACTOR_ENV } from '../../functions/config/aws-env';
import { type HandlerName, handlerNames } from '../../infra/bundling';
import { readSettings } from '../../infra/settings';
import { type SynthesizedApp, synthesizeApp } from './support/synth';
import {
  actionsOf,
  allIamStatements,
  environmentOf,
  logicalId,
  resourcesOf,
  roleStatements,
  type Statement,
} from './support/template';

const haiku = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const sonnetProfile = 'eu.anthropic.claude-3-7-sonnet-20250219-v1:0';
const ingest: HandlerName[] = ['ses-inbound', 'webhook'];
const others = handlerNames.filter((name) => !ingest.includes(name));

/** A resource as a string, CloudFormation's pseudo parameters written as cdk-nag does: `arn:<AWS::Partition>:…`. */
function arnText(value: unknown): string {
  if (typeof value === 'string') return value;
  const ref = (value as { Ref?: string }).Ref;
  if (ref !== undefined) return `<${ref}>`;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join !== undefined) return join[1].map(arnText).join(join[0]);
  throw new Error(`Not an ARN: ${JSON.stringify(value)}`);
}

function bedrockStatements(synth: SynthesizedApp, name: HandlerName): Statement[] {
  return roleStatements(synth.serviceTemplate, logicalId(synth.service.functions[name].role)).filter((statement) =>
    actionsOf(statement).some((action) => action.startsWith('bedrock:')),
  );
}

/** The function's one statement that mentions Bedrock; fails the test when it has none or several. */
function onlyBedrockStatement(synth: SynthesizedApp, name: HandlerName): Statement {
  const statements = bedrockStatements(synth, name);
  const [statement] = statements;
  if (statement === undefined || statements.length > 1) {
    throw new Error(`${name}: ${statements.length} statements about Bedrock`);
  }
  return statement;
}

const environment = (synth: SynthesizedApp, name: HandlerName) =>
  environmentOf(synth.serviceTemplate, synth.service.functions[name].lambda);

describe('the Bedrock extractor in the CDK app', () => {
  describe('without bedrockModelId (the default)', () => {
    const synth = synthesizeApp();

    it('gives no function an extractor setting: they extract with the rules', () => {
      for (const name of handlerNames) {
        expect(Object.keys(environment(synth, name)).filter((key) => /EXTRACTOR|BEDROCK/.test(key))).toEqual([]);
      }
    });

    it('names Bedrock nowhere in either template', () => {
      expect(JSON.stringify(synth.serviceTemplate.toJSON())).not.toMatch(/bedrock/i);
      expect(JSON.stringify(synth.dataTemplate.toJSON())).not.toMatch(/bedrock/i);
    });
  });

  describe('with a foundation model id', () => {
    // A nag finding would make the synth throw: this also checks cdk-nag stays clean.
    const synth = synthesizeApp({ bedrockModelId: haiku });

    it.each(ingest)('tells %s to extract with Bedrock on that model', (name) => {
      expect(environment(synth, name)).toMatchObject({
        [EXTRACTOR_ENV.extractor]: 'bedrock',
        [EXTRACTOR_ENV.bedrockModelId]: haiku,
      });
    });

    it.each(ingest)(
      'allows %s bedrock:InvokeModel on that model in its own region, and nothing else of Bedrock',
      (name) => {
        const statements = bedrockStatements(synth, name);

        expect(statements).toHaveLength(1);
        expect(statements[0]?.Effect).toBe('Allow');
        expect(actionsOf(statements[0] ?? { Effect: 'Allow', Action: [] })).toEqual(['bedrock:InvokeModel']);
        expect(resourcesOf(statements[0] ?? { Effect: 'Allow', Action: [] }).map(arnText)).toEqual([
          `arn:<AWS::Partition>:bedrock:eu-west-1::foundation-model/${haiku}`,
        ]);
      },
    );

    it.each(others)('leaves %s without the setting or the permission', (name) => {
      expect(environment(synth, name)[EXTRACTOR_ENV.extractor]).toBeUndefined();
      expect(bedrockStatements(synth, name)).toEqual([]);
    });

    it('allows Bedrock to the two ingest roles only', () => {
      const withBedrock = allIamStatements(synth.serviceTemplate).filter(({ statement }) =>
        actionsOf(statement).some((action) => action.startsWith('bedrock:')),
      );
      expect(withBedrock).toHaveLength(2);
    });
  });

  describe('with a cross-region inference profile id', () => {
    const synth = synthesizeApp({ bedrockModelId: sonnetProfile });

    it.each(ingest)('allows %s the profile in this account and region, and its model in any region', (name) => {
      const statement = onlyBedrockStatement(synth, name);

      expect(statement.Effect).toBe('Allow');
      expect(actionsOf(statement)).toEqual(['bedrock:InvokeModel']);
      expect(resourcesOf(statement).map(arnText)).toEqual([
        `arn:<AWS::Partition>:bedrock:eu-west-1:<AWS::AccountId>:inference-profile/${sonnetProfile}`,
        'arn:<AWS::Partition>:bedrock:*::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0',
      ]);
    });

    it.each(ingest)('passes the profile id to %s as the model id', (name) => {
      expect(environment(synth, name)[EXTRACTOR_ENV.bedrockModelId]).toBe(sonnetProfile);
    });
  });

  describe('the bedrockModelId setting', () => {
    const base = { domain: 'acme.example', alarmEmail: 'ops@acme.example' };
    const settingsFrom = (context: Record<string, unknown>) => readSettings(new App({ context }).node);

    it('is absent unless given, and absent when given empty (`-c bedrockModelId=`)', () => {
      expect(settingsFrom(base).bedrockModelId).toBeUndefined();
      expect(settingsFrom({ ...base, bedrockModelId: '' }).bedrockModelId).toBeUndefined();
    });

    it('takes foundation model and inference profile ids', () => {
      expect(settingsFrom({ ...base, bedrockModelId: haiku }).bedrockModelId).toBe(haiku);
      expect(settingsFrom({ ...base, bedrockModelId: sonnetProfile }).bedrockModelId).toBe(sonnetProfile);
      expect(settingsFrom({ ...base, bedrockModelId: 'amazon.nova-lite-v1:0' }).bedrockModelId).toBe(
        'amazon.nova-lite-v1:0',
      );
    });

    it('stops the synth naming bedrockModelId when it is not a model id', () => {
      expect(() => settingsFrom({ ...base, bedrockModelId: 'claude haiku' })).toThrow(/bedrockModelId: /);
      expect(() => settingsFrom({ ...base, bedrockModelId: 'arn:aws:bedrock:*::foundation-model/*' })).toThrow(
        /bedrockModelId: /,
      );
    });
  });
});
