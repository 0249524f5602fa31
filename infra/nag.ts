import { Stack, Validations } from 'aws-cdk-lib';
// cdk-nag's own spelling of a CloudFormation value in a finding (`<Id.Arn>`, an export name…): a copy could drift.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges AwsSolutions-IAM5 for exactly these wildcard resources of the grantee's policy, each by its own
 * finding id (`AwsSolutions-IAM5[Resource::…]`), so that any other wildcard added later is still reported.
 *
 * cdk-nag 3 checks the templates after synthesis, when a reference to another stack has become an
 * `Fn::ImportValue` of a generated export name. The finding can only be spelled once that has happened, so the
 * acknowledgment is recorded from a construct validation, which CDK runs after references are resolved and before
 * the validation plugins.
 */
export function acknowledgeWildcards(grantee: IConstruct, arns: readonly string[], reason: string): void {
  grantee.node.addValidation({
    validate: () => {
      for (const arn of arns) {
        const finding = `Resource::${flattenCfnReference(Stack.of(grantee).resolve(arn))}`;
        Validations.of(grantee).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
      }
      return [];
    },
  });
}
