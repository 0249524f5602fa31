#!/usr/bin/env node
// The CLI runs the TypeScript sources directly through tsx, so that a fresh clone needs no build step for it.
import { register } from 'tsx/esm/api';

// The SDK is pinned in package-lock.json and Lambda runs Node 22: the SDK's warning about Node 20 is not news here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { run } = await import('../functions/cli.ts');
await run(process.argv.slice(2));
