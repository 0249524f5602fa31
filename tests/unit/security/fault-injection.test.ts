import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import PostalMime from 'postal-mime';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbStore } from '../../../functions/adapters/aws/dynamodb-store';
import { ensureTable } from '../../../functions/adapters/aws/dynamodb-table';
import { createLocalDynamoClient } from '../../../functions/adapters/local/local-dynamodb-client';
import type { Meeting } from '../../../functions/domain/model';
import type { Scheduler } from '../../../functions/ports/scheduler';
import type { Store } from '../../../functions/ports/store';
import { type IngestDeps, ingestEmail } from '../../../functions/use-cases/ingest-email';
import { ingestWebhookNotes } from '../../../functions/use-cases/ingest-webhook';
import { receiveWebhook } from '../../../functions/use-cases/receive-webhook';
import { sendWrapup } from '../../../functions/use-cases/send-wrapup';
import { fixtureBytes } from '../../support/fixtures';
import { startWorlds, type UseCaseWorld } from '../../support/use-case-deps';

/** What a process that dies mid-ingest looks like to the code: the port call never comes back. */
class SimulatedCrash extends Error {
  override name = 'SimulatedCrash';
}

/**
 * Where the process dies: before the k-th port call reaches the store or scheduler (nothing of it happened), or
 * after it (it happened, but the process never learnt so) — the two cases a retry must both survive.
 */
interface Fault {
  at: number;
  when: 'before' | 'after';
}

/** Counts every call to the ports it wraps, across all of them, and dies at the one the fault names. */
class FaultPlan {
  calls = 0;
  fault: Fault | null = null;
  /** Which port method each call was, for a readable failure. */
  readonly log: string[] = [];

  /**
   * Every command the DynamoDB client sends counts, below the store: a crash can then fall between two writes of one
   * store call (one item of several put, a sent mail recorded but not its Message-ID pointer). Outside the SDK's
   * retries, so that a crash is not retried away.
   */
  instrument(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        this.calls += 1;
        this.log.push(context.commandName ?? 'command');
        const hit = this.fault !== null && this.fault.at === this.calls;
        if (hit && this.fault?.when === 'before') throw new SimulatedCrash(`crash before request ${this.calls}`);
        const result = await next(args);
        if (hit) throw new SimulatedCrash(`crash after request ${this.calls}`);
        return result;
      },
      { step: 'initialize', name: 'faultInjection' },
    );
  }

  /** Every method of the port counts (a method added to the port later is covered without a list to update). */
  wrap<T extends object>(port: T): T {
    const plan = this;
    return new Proxy(port, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          plan.calls += 1;
          plan.log.push(String(property));
          const fault = plan.fault;
          const hit = fault !== null && fault.at === plan.calls;
          if (hit && fault.when === 'before') throw new SimulatedCrash(`crash before call ${plan.calls}`);
          const result = await value.apply(target, args);
          if (hit) throw new SimulatedCrash(`crash after call ${plan.calls}`);
          return result;
        };
      },
    });
  }
}

const now = '2026-11-17T21:43:00Z';
const leo = 'leo.martins@northwind-sales.example';

/** Dana's notes of her 1:1 with Marcus, as a notes app posts them. */
const webhookBody = new TextEncoder().encode(
  JSON.stringify({
    id: 'notes-2026-11-17',
    subject: '1:1 Dana / Marcus',
    date: '2026-11-17',
    timeZone: 'America/Los_Angeles',
    attendees: [
      { email: 'dana.whitfield@acme-sales.example', name: 'Dana Whitfield' },
      { email: 'marcus.reid@acme-sales.example', name: 'Marcus Reid' },
    ],
    author: 'dana.whitfield@acme-sales.example',
    notes: [
      'Action items',
      '- Marcus: send Initech the revised renewal quote by Friday',
      '- Dana: introduce Marcus to the Globex VP by 11/24',
      '- Marcus: update the forecast in the CRM',
      '',
      'Next 1:1 Tue 11/24.',
    ].join('\n'),
  }),
);

/** Leo's reply to his wrap-up, as his mail app writes it: commands on top, the wrap-up quoted below. */
async function replyToWrapup(world: UseCaseWorld): Promise<Uint8Array> {
  const [toLeo] = (await world.outbox()).filter((m) => m.kind === 'wrapup' && m.to.includes(leo));
  const wrapup = await PostalMime.parse(await readFile(toLeo?.file ?? ''));
  const quoted = (wrapup.text ?? '').split('\n').map((line) => `> ${line}`);
  return new TextEncoder().encode(
    [
      `From: Leo Martins <${leo}>`,
      'To: followthrough <notes@followthrough.example>',
      `Subject: Re: ${wrapup.subject}`,
      'Date: Tue, 17 Nov 2026 18:00:00 -0500',
      'Message-ID: <reply-1@mail.northwind-sales.example>',
      `In-Reply-To: ${wrapup.messageId}`,
      `References: ${wrapup.messageId}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset="utf-8"',
      '',
      'done 1',
      '2 due friday',
      'drop 3',
      '4 owner priya',
      '',
      'On Tue, Nov 17, 2026 at 5:13 PM followthrough <notes@followthrough.example> wrote:',
      ...quoted,
      '',
    ].join('\r\n'),
  );
}

interface Scenario {
  name: string;
  /** Whatever has to exist before the ingest under test (on the healthy ports). */
  prepare(deps: IngestDeps, world: UseCaseWorld): Promise<Uint8Array>;
  ingest(deps: IngestDeps, input: Uint8Array): Promise<unknown>;
  /** What else the scenario leaves in the store. */
  extra?(store: Store): Promise<unknown>;
}

const webhookSecret = `whsec_${Buffer.from('fault-injection-webhook-secret-0123').toString('base64')}`;
const webhookId = 'msg_fault_injection_1';

/**
 * The webhook as the endpoint takes it: signed, its webhook-id claimed first and marked complete after the ingest. A
 * crash inside is answered 500 there; here it is thrown, as the process dying would end the request.
 */
async function postSigned(deps: IngestDeps, body: Uint8Array) {
  const at = deps.clock.now();
  const signature = new Webhook(webhookSecret).sign(webhookId, at, new TextDecoder().decode(body));
  const response = await receiveWebhook(
    { ...deps, webhookSecret },
    {
      headers: {
        'content-type': 'application/json',
        'webhook-id': webhookId,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body,
    },
  );
  if (response.status === 500) throw response.cause;
  // 200: a replay of a delivery that completed before the crash, which is the answer the sender's retry should get.
  if (response.status !== 202 && response.status !== 200) throw new Error(`the webhook answered ${response.status}`);
  return response;
}

const scenarios: Scenario[] = [
  {
    name: 'a notes email',
    prepare: async () => fixtureBytes('demo-one-on-one.eml'),
    ingest: ingestEmail,
  },
  {
    name: 'notes posted to the webhook',
    prepare: async () => webhookBody,
    ingest: ingestWebhookNotes,
  },
  {
    name: 'a signed webhook delivery, its webhook-id claimed and completed',
    prepare: async () => webhookBody,
    ingest: postSigned,
    extra: (store) => store.getWebhookDelivery(webhookId),
  },
  {
    name: 'a reply with commands',
    async prepare(deps, world) {
      await ingestEmail(deps, fixtureBytes('demo-one-on-one.eml'));
      const [meeting] = (await deps.store.listMeetings()).items;
      world.clock.set('2026-11-17T22:13:00Z');
      await sendWrapup(deps, meeting?.id ?? '');
      world.clock.set('2026-11-17T23:00:00Z');
      return replyToWrapup(world);
    },
    ingest: ingestEmail,
  },
];

/** Refs and Message-IDs are drawn at random for each mail, so two runs compare on everything else. */
const withoutRef = (subject: string): string => subject.replace(/\s*\[ft-[a-z2-7]+\]$/i, '');

/** Link tokens carry a random nonce; what a mail says is compared without them. */
const unsigned = (text: string): string => text.replace(/\/a\/[\w.~-]+/g, '/a/…');

/**
 * Everything ingest leaves behind that a person could notice: meetings, their items (read by meeting, by owner and
 * by series, so that the indexes are compared too), series, people, schedules, the outbox and the sent-mail
 * records. The clock stands still, so every timestamp compares as it is.
 */
async function snapshot(world: UseCaseWorld, extra?: (store: Store) => Promise<unknown>, store: Store = world.store) {
  const meetings: Meeting[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listMeetings(cursor === undefined ? {} : { cursor });
    meetings.push(...page.items);
    cursor = page.cursor;
  } while (cursor !== undefined);
  const seriesIds = [...new Set(meetings.map((m) => m.seriesId))].sort();
  const series = await Promise.all(seriesIds.map((id) => store.getSeries(id)));
  const members = [...new Set(series.flatMap((s) => s?.members.map((p) => p.address) ?? []))].sort();
  const outbox = await world.outbox();
  const refs: string[] = [];
  const texts: string[] = [];
  for (const mail of outbox) {
    const parsed = await PostalMime.parse(await readFile(mail.file));
    refs.push(parsed.headers.find((h) => h.key === 'x-followthrough-ref')?.value.trim() ?? '');
    texts.push(unsigned(parsed.text ?? ''));
  }
  const sentMail = await Promise.all(
    [...new Set(refs)].map(async (ref) => {
      const record = await store.getSentMail(ref);
      return record === null
        ? { ref, missing: true }
        : { ...record, ref: 'ref', messageId: 'message-id', subject: withoutRef(record.subject) };
    }),
  );
  return {
    meetings,
    items: await Promise.all(meetings.map((m) => store.listMeetingItems(m.id))),
    itemsByOwner: await Promise.all(members.map((owner) => store.listItemsByOwner({ owner }))),
    itemsBySeries: await Promise.all(seriesIds.map((id) => store.listSeriesItems(id))),
    series,
    persons: await Promise.all(members.map((address) => store.getPerson(address))),
    schedules: world.deps.scheduler.list().sort((a, b) => a.name.localeCompare(b.name)),
    // Mails sent in the same millisecond list in the order of their random file names.
    outbox: outbox
      .map((m, i) => JSON.stringify({ kind: m.kind, to: m.to, subject: withoutRef(m.subject), text: texts[i] }))
      .sort()
      .map((m) => JSON.parse(m) as unknown),
    sentMail: sentMail.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    extra: extra === undefined ? null : await extra(store),
  };
}

/** Where two snapshots part, as paths and values, so that a failure names what a crash lost or doubled. */
function differ(expected: unknown, actual: unknown, path = ''): string[] {
  if (Object.is(expected, actual)) return [];
  if (typeof expected === 'object' && expected !== null && typeof actual === 'object' && actual !== null) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])];
    return keys.flatMap((key) =>
      differ((expected as Record<string, unknown>)[key], (actual as Record<string, unknown>)[key], `${path}.${key}`),
    );
  }
  return [`${path}: ${JSON.stringify(expected)} → ${JSON.stringify(actual)}`];
}

/** A fresh world whose store and scheduler go through the plan; the scheduler's file is still readable whole. */
async function faultyWorld(worlds: Awaited<ReturnType<typeof startWorlds>>, plan: FaultPlan) {
  const world = await worlds.world(now);
  const healthy = world.deps;
  const faulty: IngestDeps = {
    ...healthy,
    store: plan.wrap<Store>(healthy.store),
    scheduler: plan.wrap<Scheduler>(healthy.scheduler),
  };
  return { world, faulty };
}

/** A fresh world whose store speaks to its own table through a client the plan counts the commands of. */
async function faultyTableWorld(worlds: Awaited<ReturnType<typeof startWorlds>>, plan: FaultPlan) {
  const world = await worlds.world(now);
  const client = createLocalDynamoClient(worlds.endpoint);
  plan.instrument(client);
  const tableName = `fault-${randomUUID()}`;
  await ensureTable(client, tableName);
  const store = new DynamoDbStore({ client, tableName, now: () => world.clock.now() });
  const deps: IngestDeps = { ...world.deps, store };
  return {
    world,
    deps,
    store,
    dispose: async () => {
      client.destroy();
      await world.dispose();
    },
  };
}

describe('fault injection during ingest (local store)', () => {
  let worlds: Awaited<ReturnType<typeof startWorlds>>;

  beforeAll(async () => {
    worlds = await startWorlds();
  });
  afterAll(async () => {
    await worlds.close();
  });

  describe.each(scenarios)('$name', (scenario) => {
    let clean: Awaited<ReturnType<typeof snapshot>>;
    let calls: string[];

    beforeAll(async () => {
      const plan = new FaultPlan();
      const { world, faulty } = await faultyWorld(worlds, plan);
      const input = await scenario.prepare(world.deps, world);
      plan.calls = 0;
      plan.log.length = 0;
      await scenario.ingest(faulty, input);
      calls = [...plan.log];
      clean = await snapshot(world, scenario.extra);
      await world.dispose();
    });

    it.each(['before', 'after'] as const)(
      '[R23] a crash %s each store or scheduler call, then a re-run, leaves the state of a clean run',
      async (when) => {
        expect(clean.meetings.length).toBeGreaterThan(0);
        expect(calls.length).toBeGreaterThan(5);
        const diverged: string[] = [];
        for (let at = 1; at <= calls.length; at += 1) {
          const plan = new FaultPlan();
          const { world, faulty } = await faultyWorld(worlds, plan);
          try {
            const input = await scenario.prepare(world.deps, world);
            plan.calls = 0;
            plan.fault = { at, when };
            await expect(scenario.ingest(faulty, input)).rejects.toBeInstanceOf(SimulatedCrash);
            plan.fault = null;
            await scenario.ingest(world.deps, input);
            const differences = differ(clean, await snapshot(world, scenario.extra));
            if (differences.length > 0)
              diverged.push(`${when} call ${at} (${calls[at - 1]}): ${differences.join('; ')}`);
          } finally {
            await world.dispose();
          }
        }
        expect(diverged).toEqual([]);
      },
    );

    it('[R23] a crash after each DynamoDB request (it landed, its answer was lost), then a re-run, leaves the state of a clean run', async () => {
      const counting = new FaultPlan();
      const cleanRun = await faultyTableWorld(worlds, counting);
      let requests: string[];
      try {
        const input = await scenario.prepare(cleanRun.deps, cleanRun.world);
        counting.calls = 0;
        counting.log.length = 0;
        await scenario.ingest(cleanRun.deps, input);
        requests = [...counting.log];
        expect(differ(clean, await snapshot(cleanRun.world, scenario.extra, cleanRun.store))).toEqual([]);
      } finally {
        await cleanRun.dispose();
      }
      expect(requests.length).toBeGreaterThan(5);
      const diverged: string[] = [];
      for (let at = 1; at <= requests.length; at += 1) {
        const plan = new FaultPlan();
        const run = await faultyTableWorld(worlds, plan);
        try {
          const input = await scenario.prepare(run.deps, run.world);
          plan.calls = 0;
          plan.fault = { at, when: 'after' };
          await expect(scenario.ingest(run.deps, input)).rejects.toBeInstanceOf(SimulatedCrash);
          plan.fault = null;
          await scenario.ingest(run.deps, input);
          const differences = differ(clean, await snapshot(run.world, scenario.extra, run.store));
          if (differences.length > 0) diverged.push(`request ${at} (${requests[at - 1]}): ${differences.join('; ')}`);
        } finally {
          await run.dispose();
        }
      }
      expect(diverged).toEqual([]);
    });
  });
});
