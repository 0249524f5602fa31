import { buildTemplates } from '../../scripts/build-templates';

// Tests import templates/compiled/*, which a clean clone does not have: build them once per run.
export async function setup(): Promise<void> {
  await buildTemplates();
}
