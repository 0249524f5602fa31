import { describe, expect, it } from 'vitest';
import { once, readLinkKeys, readWebhookSecret } from '../../functions/aws-wiring';
import { parseSigningKeys } from '../../functions/domain/links/token';
import { handler as actionLinks } from '../../functions/handlers/action-links';
import { handler as scheduledSend } from '../../functions/handlers/scheduled-send';
import { handler as sesInbound } from '../../functions/handlers/ses-inbound';
import { handler as webhook } from '../../functions/handlers/webhook';
import { lambdaContext } from '../support/aws-world';

const secret = (value: object | string) => async () => (typeof value === 'string' ? value : JSON.stringify(value));
const key = 'Zq7Vb2Lx9Kc4Np8Rt1Wy6Hd3Mf5Gj0Sa2Ue7Xo4Ci9';

describe('the AWS wiring', () => {
  it('reads the link keys secret the CDK app generates as {keyId, secret}', async () => {
    const keys = await readLinkKeys('arn:secret', secret({ keyId: 'k1', secret: key }));

    expect(parseSigningKeys(keys)).toEqual([{ id: 'k1', secret: key }]);
  });

  it('keeps the previous keys of a rotation after the current one, which signs', async () => {
    const keys = await readLinkKeys('arn:secret', secret({ keyId: 'k2', secret: key, previous: `k1:${key}-old` }));

    expect(parseSigningKeys(keys).map((k) => k.id)).toEqual(['k2', 'k1']);
  });

  it('names what is wrong with a link keys secret of another shape, without repeating its value', async () => {
    const error = await readLinkKeys('arn:secret', secret({ key })).catch((e: unknown) => e);

    expect(String(error)).toMatch(/keyId/);
    expect(String(error)).not.toContain(key);
  });

  it('gives the webhook secret the whsec_ prefix Standard Webhooks expects, once', async () => {
    expect(await readWebhookSecret('arn:secret', secret(key))).toBe(`whsec_${key}`);
    expect(await readWebhookSecret('arn:secret', secret(`whsec_${key}\n`))).toBe(`whsec_${key}`);
  });

  it('builds a function’s dependencies once per cold start', async () => {
    let builds = 0;
    const deps = once(async () => ++builds);

    await Promise.all([deps(), deps()]);
    await deps();

    expect(builds).toBe(1);
  });

  it('tries again after a failed build instead of keeping the failure for the container’s life', async () => {
    let attempts = 0;
    const deps = once(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('secret briefly unreadable');
      return 'ready';
    });

    await expect(deps()).rejects.toThrow('briefly');
    expect(await deps()).toBe('ready');
  });

  it.each([
    ['ses-inbound', () => sesInbound({}, lambdaContext()), /FOLLOWTHROUGH_IDEMPOTENCY_TABLE/],
    ['scheduled-send', () => scheduledSend({}, lambdaContext()), /FOLLOWTHROUGH_IDEMPOTENCY_TABLE/],
    ['webhook', () => webhook({}), /FOLLOWTHROUGH_SES_CONFIGURATION_SET|FOLLOWTHROUGH_LINK_KEYS_SECRET/],
    ['action-links', () => actionLinks({}), /FOLLOWTHROUGH_LINK_KEYS_SECRET/],
  ])(
    'fails the %s function’s first invocation naming the missing variables, not its import',
    async (_name, invoke, names) => {
      await expect(invoke()).rejects.toThrow(names);
    },
  );
});
