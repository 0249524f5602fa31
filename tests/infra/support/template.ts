import { type CfnElement, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';

export interface CfnResourceJson {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

interface PolicyDocument {
  Statement: Statement[];
}

/** The logical id CDK gave the CloudFormation resource behind an L2 construct. */
export function logicalId(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
}

export function resourcesOfType(template: Template, type: string): Array<[string, CfnResourceJson]> {
  return Object.entries(template.findResources(type) as Record<string, CfnResourceJson>);
}

export function resourceOf(template: Template, construct: IConstruct): CfnResourceJson {
  const id = logicalId(construct);
  const resource = (template.toJSON().Resources as Record<string, CfnResourceJson>)[id];
  if (resource === undefined) throw new Error(`No resource ${id} in the template`);
  return resource;
}

/** The properties of a resource that must have some. */
export function propertiesOf(resource: CfnResourceJson): Record<string, unknown> {
  if (resource.Properties === undefined) throw new Error(`A ${resource.Type} without properties`);
  return resource.Properties;
}

/** The one resource of a type the template must hold exactly once. */
export function onlyResourceOfType(template: Template, type: string): CfnResourceJson {
  const found = resourcesOfType(template, type);
  const [first] = found;
  if (first === undefined || found.length > 1) throw new Error(`Expected one ${type}, found ${found.length}`);
  return first[1];
}

/** A Lambda function's environment variables, as the template sets them. */
export function environmentOf(template: Template, fn: IConstruct): Record<string, unknown> {
  return (propertiesOf(resourceOf(template, fn)).Environment as { Variables: Record<string, unknown> }).Variables;
}

const statementsIn = (document: unknown): Statement[] => (document as PolicyDocument | undefined)?.Statement ?? [];

export const actionsOf = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

export const resourcesOf = (statement: Statement): unknown[] =>
  statement.Resource === undefined ? [] : Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];

/** Every statement of a role: its inline policies and the AWS::IAM::Policy resources attached to it. */
export function roleStatements(template: Template, roleId: string): Statement[] {
  const role = resourcesOfType(template, 'AWS::IAM::Role').find(([id]) => id === roleId)?.[1];
  if (role === undefined) throw new Error(`No role ${roleId} in the template`);
  const inline = ((role.Properties?.Policies ?? []) as Array<{ PolicyDocument: unknown }>).flatMap((policy) =>
    statementsIn(policy.PolicyDocument),
  );
  const attached = resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => ((policy.Properties?.Roles ?? []) as unknown[]).some((r) => isRef(r, roleId)))
    .flatMap(([, policy]) => statementsIn(policy.Properties?.PolicyDocument));
  return [...inline, ...attached];
}

/** Every IAM statement in a template: AWS::IAM::Policy, managed policies, and the inline policies of roles. */
export function allIamStatements(template: Template): Array<{ where: string; statement: Statement }> {
  const documents: Array<[string, unknown]> = [
    ...resourcesOfType(template, 'AWS::IAM::Policy'),
    ...resourcesOfType(template, 'AWS::IAM::ManagedPolicy'),
  ].map(([id, r]) => [id, r.Properties?.PolicyDocument]);
  for (const [id, role] of resourcesOfType(template, 'AWS::IAM::Role')) {
    for (const policy of (role.Properties?.Policies ?? []) as Array<{ PolicyName: string; PolicyDocument: unknown }>) {
      documents.push([`${id}/${policy.PolicyName}`, policy.PolicyDocument]);
    }
  }
  return documents.flatMap(([where, document]) => statementsIn(document).map((statement) => ({ where, statement })));
}

export const isRef = (value: unknown, id: string): boolean =>
  typeof value === 'object' && value !== null && (value as { Ref?: unknown }).Ref === id;

export const isGetAtt = (value: unknown, id: string, attribute: string): boolean => {
  const getAtt = (value as { 'Fn::GetAtt'?: unknown } | null)?.['Fn::GetAtt'];
  return Array.isArray(getAtt) && getAtt[0] === id && getAtt[1] === attribute;
};
