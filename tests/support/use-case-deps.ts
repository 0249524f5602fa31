import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDbStore } from '../../functions/adapters/aws/dynamodb-store';
import { FileRawMailArchive } from '../../functions/adapters/local/file-raw-mail';
import { FileScheduler } from '../../functions/adapters/local/file-scheduler';
import { InProcessPageQueue } from '../../functions/adapters/local/in-process-page-queue';
import { listOutbox, OutboxMailer } from '../../functions/adapters/local/outbox-mailer';
import { parseSigningKeys } from '../../functions/domain/links/token';
import type { WeeklyPageQueue } from '../../functions/ports/page-queue';
import type { IngestDeps } from '../../functions/use-cases/ingest-email';
import { sendWeeklyPage } from '../../functions/use-cases/send-weekly';
import { startTestStore } from './local-store';

/** A clock the test moves by hand. */
export class TestClock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  set(to: string | Date): void {
    this.current = new Date(to);
  }
}

export const testSigningKeys = parseSigningKeys(
  'test2:0123456789abcdef0123456789abcdef-current,test1:fedcba9876543210fedcba9876543210-previous',
);

export interface UseCaseWorld {
  deps: IngestDeps & { scheduler: FileScheduler; weeklyPages: WeeklyPageQueue };
  store: DynamoDbStore;
  clock: TestClock;
  dir: string;
  outbox(): ReturnType<typeof listOutbox>;
  dispose(): Promise<void>;
}

/**
 * Every port on its local adapter: a fresh dynalite table through the real DynamoDB client, schedules in a file,
 * mail to an outbox of .eml files, raw mail in a temp dir. One server per test file (`startWorlds`).
 */
export async function startWorlds() {
  const local = await startTestStore();
  return {
    async world(now: string): Promise<UseCaseWorld> {
      const dir = await mkdtemp(join(tmpdir(), 'followthrough-uc-'));
      const clock = new TestClock(new Date(now));
      const store = await local.newStore(() => clock.now());
      const deps: UseCaseWorld['deps'] = {
        store,
        clock,
        scheduler: new FileScheduler(join(dir, 'schedules.json'), clock),
        archive: new FileRawMailArchive(join(dir, 'raw')),
        mailer: new OutboxMailer({ dir: join(dir, 'outbox'), clock }),
        signingKeys: testSigningKeys,
        config: {
          inboxAddress: 'notes@followthrough.example',
          fromAddress: 'notes@followthrough.example',
          baseUrl: 'http://127.0.0.1:8787',
          wrapupDelayMinutes: 30,
          allowedSenderDomains: ['*'],
        },
        // A weekly slot's pages run in the test's process, as on the local stack.
        weeklyPages: new InProcessPageQueue((page) => sendWeeklyPage(deps, page)),
      };
      return {
        deps,
        store,
        clock,
        dir,
        outbox: () => listOutbox(join(dir, 'outbox')),
        dispose: () => rm(dir, { recursive: true, force: true }),
      };
    },
    /** Every item in a world's table: nothing at all written is `[]`. */
    tableRows: (store: DynamoDbStore) => local.tableRows(store),
    /** The DynamoDB-compatible server's address, for a test that needs a client of its own (fault injection). */
    endpoint: local.server.endpoint,
    close: () => local.server.close(),
  };
}
