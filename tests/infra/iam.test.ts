import { describe, expect, it } from 'vitest';
import { synthesizeApp } from './support/synth';
import { actionsOf, allIamStatements, resourcesOf } from './support/template';

const { dataTemplate, serviceTemplate } = synthesizeApp();
const statements = [...allIamStatements(dataTemplate), ...allIamStatements(serviceTemplate)].filter(
  ({ statement }) => statement.Effect === 'Allow',
);

describe('IAM policies of both stacks', () => {
  it('are found: every function role and the Scheduler role have some', () => {
    expect(new Set(statements.map(({ where }) => where)).size).toBeGreaterThanOrEqual(6);
  });

  it('allow no action `*` and no `service:*`, on any resource', () => {
    const wildcards = statements.flatMap(({ where, statement }) =>
      actionsOf(statement)
        .filter((action) => action === '*' || /^[\w-]+:\*$/.test(action))
        .map((action) => `${where}: ${action}`),
    );
    expect(wildcards).toEqual([]);
  });

  it('allow nothing on resource `*`', () => {
    const everything = statements
      .filter(({ statement }) => resourcesOf(statement).includes('*'))
      .map(({ where, statement }) => `${where}: ${actionsOf(statement).join(',')}`);
    expect(everything).toEqual([]);
  });

  it('name every data resource by its ARN, with a wildcard only after a key prefix or a schedule group', () => {
    const wildcardResources = statements
      .flatMap(({ statement }) => resourcesOf(statement).map((r) => JSON.stringify(r)))
      .filter((r) => r.includes('*'));
    for (const resource of wildcardResources) {
      expect(resource).toMatch(/"\/(raw|inbound)\/\*"|:schedule\/FollowthroughData-ScheduleGroup-[A-Z0-9]+\/\*"/);
    }
  });
});
