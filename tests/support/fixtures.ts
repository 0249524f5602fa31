import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const fixturePath = (name: string): string => join(import.meta.dirname, '..', 'fixtures', 'emails', name);

export const fixtureBytes = (name: string): Uint8Array => new Uint8Array(readFileSync(fixturePath(name)));
