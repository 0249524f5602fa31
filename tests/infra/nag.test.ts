import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CfnResource, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, type IApplyRule, NagRuleCompliance } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { synthesizeApp } from './support/synth';

const { app, assembly, data, service } = synthesizeApp();

/** AwsSolutions, recording every finding before acknowledgments are applied, to check them against each other. */
class RecordingChecks extends AwsSolutionsChecks {
  readonly findings: Array<{ path: string; id: string }> = [];

  protected override applyRule(params: IApplyRule): void {
    const ruleId = `${this.packName}-${params.ruleSuffixOverride ?? params.rule.name}`;
    const path = params.node.node.path;
    try {
      const result = params.rule(params.node as CfnResource);
      if (result === NagRuleCompliance.NON_COMPLIANT) this.findings.push({ path, id: ruleId });
      if (Array.isArray(result))
        for (const finding of result) this.findings.push({ path, id: `${ruleId}[${finding}]` });
    } catch {
      // cdk-nag reports a rule that throws as a finding of the rule itself.
      this.findings.push({ path, id: ruleId });
    }
    super.applyRule(params);
  }
}

const recording = new RecordingChecks();
recording.validateScope(app);

/** Every acknowledgment in the app: on which construct, of which rule, and why. */
const acknowledgments = app.node.findAll().flatMap((construct) =>
  construct.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) =>
      Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
        path: construct.node.path,
        id: id.replace(/^annotation::/i, ''),
        reason,
      })),
    ),
);

const within = (path: string, scope: string) => path === scope || path.startsWith(`${scope}/`);

describe('cdk-nag AwsSolutions', () => {
  it('leaves nothing in the validation report: no error and no warning', () => {
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: Array<{ pluginName: string; violations: unknown[] }>;
    };
    expect(report.pluginReports.filter((r) => r.pluginName === 'AwsSolutions')).toEqual([]);
  });

  it.each([
    ['data', data],
    ['service', service],
  ])('leaves no error or warning annotation on the %s stack', (_name, stack) => {
    const annotations = Annotations.fromStack(stack);
    expect(annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('acknowledges every finding, on the resource or a construct around it', () => {
    expect(recording.findings.length).toBeGreaterThan(0);
    const unacknowledged = recording.findings.filter(
      (f) => !acknowledgments.some((a) => a.id === f.id && within(f.path, a.path)),
    );
    expect(unacknowledged).toEqual([]);
  });

  it('acknowledges nothing that is not found: no stale acknowledgment outlives its reason', () => {
    const stale = acknowledgments.filter(
      (a) => !recording.findings.some((f) => f.id === a.id && within(f.path, a.path)),
    );
    expect(stale).toEqual([]);
  });

  it('gives a reason with every acknowledgment, and an IAM5 one names its one wildcard resource', () => {
    for (const { id, reason } of acknowledgments) {
      expect(reason.length, id).toBeGreaterThan(60);
      if (id.startsWith('AwsSolutions-IAM5')) expect(id).toMatch(/^AwsSolutions-IAM5\[Resource::[^\]]+\/\*\]$/);
    }
  });
});
