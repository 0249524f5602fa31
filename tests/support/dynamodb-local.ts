import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createLocalDynamoClient } from '../../functions/adapters/local/local-dynamodb-client';

/** AWS's DynamoDB Local 1.25, as shipped inside amplify-dynamodb-simulator. */
const emulatorDir = join(
  dirname(createRequire(import.meta.url).resolve('amplify-dynamodb-simulator/package.json')),
  'emulator',
);

/** Where java is on PATH, or null: looked up rather than run, because starting a JVM to ask costs a second. */
export const findJava = (): string | null => {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'java');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory: try the next one.
    }
  }
  return null;
};

/** A port nothing listens on right now; another process could take it before java binds it, which is rare here. */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      if (address === null || typeof address === 'string') {
        probe.close();
        reject(new Error('The port probe has no TCP address'));
        return;
      }
      probe.close(() => resolve(address.port));
    });
  });

const exited = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

/** Starts DynamoDB Local in memory and resolves once it answers ListTables (≈ 2 s on two cores). */
export const startDynamoDbLocal = async (options: { timeoutMs?: number } = {}): Promise<DynamoDbLocal> => {
  const { timeoutMs = 30_000 } = options;
  const port = await freePort();
  const child = spawn(
    'java',
    ['-Djava.library.path=./DynamoDBLocal_lib', '-jar', 'DynamoDBLocal.jar', '-inMemory', '-port', String(port)],
    { cwd: emulatorDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // Kept for the error message: when the JVM dies at start, its own words say why.
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited(child);
  };

  // One attempt per probe: the SDK's own retries would back off for seconds while the JVM is still starting.
  const client = createLocalDynamoClient(endpoint, { maxAttempts: 1 });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (spawnError !== undefined || child.exitCode !== null) {
        throw new Error(
          `DynamoDB Local did not start (${spawnError?.message ?? `exit ${child.exitCode}`}):\n${output}`,
        );
      }
      try {
        await client.send(new ListTablesCommand({}));
        return { endpoint, stop };
      } catch {
        // Not listening yet: the JVM takes a couple of seconds.
      }
      if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer within ${timeoutMs} ms:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
};
