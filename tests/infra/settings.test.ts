import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { AWS_ENV } from '../../functions/config/aws-env';
import { ENV } from '../../functions/config/env';
import { readSettings } from '../../infra/settings';
import { cdkJsonContext, synthesizeApp } from './support/synth';
import { environmentOf, resourceOf } from './support/template';

const settingsFrom = (context: Record<string, unknown>) => readSettings(new App({ context }).node);

describe('readSettings', () => {
  it("reads cdk.json's example deployment: a fresh clone synthesizes", () => {
    expect(settingsFrom(cdkJsonContext())).toMatchObject({
      region: 'eu-west-1',
      domain: 'followthrough.example',
      alarmEmail: 'ops@followthrough.example',
    });
  });

  it('defaults the inbox to notes@<domain>, the sender to the inbox, and the rest to documented values', () => {
    expect(settingsFrom({ domain: 'acme.example', alarmEmail: 'ops@acme.example' })).toEqual({
      domain: 'acme.example',
      alarmEmail: 'ops@acme.example',
      inbox: 'notes@acme.example',
      from: 'notes@acme.example',
      rawMailRetentionDays: 365,
      retentionDays: 730,
      sendConcurrency: 5,
      sesMaxSendRate: 14,
      wrapupDelayMinutes: 30,
      logLevel: 'INFO',
      receiptRuleSetName: 'followthrough-inbound',
      allowedSenderDomains: ['acme.example'],
    });
  });

  it('takes numbers given as `-c key=value` strings', () => {
    const settings = settingsFrom({
      domain: 'acme.example',
      alarmEmail: 'ops@acme.example',
      sendConcurrency: '0',
      rawMailRetentionDays: '30',
      sesMaxSendRate: '50',
    });
    expect(settings).toMatchObject({ sendConcurrency: 0, rawMailRetentionDays: 30, sesMaxSendRate: 50 });
  });

  it('[R5] takes the allowed sender domains as a comma-separated string or a list, lower-cased', () => {
    const base = { domain: 'acme.example', alarmEmail: 'ops@acme.example' };

    expect([
      settingsFrom({ ...base, allowedSenderDomains: 'Acme.example, acme-sales.example' }).allowedSenderDomains,
      settingsFrom({ ...base, allowedSenderDomains: ['acme.example', 'Acme-Sales.example'] }).allowedSenderDomains,
    ]).toEqual([
      ['acme.example', 'acme-sales.example'],
      ['acme.example', 'acme-sales.example'],
    ]);
  });

  it.each(['*', 'acme', 'dana@acme.example'])(
    '[R5] refuses %j as the allowed sender domains of a deployment',
    (value) => {
      expect(() =>
        settingsFrom({ domain: 'acme.example', alarmEmail: 'ops@acme.example', allowedSenderDomains: value }),
      ).toThrow(/allowedSenderDomains: /);
    },
  );

  it('refuses a deployment without a domain or with a malformed address, naming each', () => {
    expect(() => settingsFrom({ alarmEmail: 'not an address' })).toThrow(/domain: .*alarmEmail: /);
  });
});

describe('the app built from other settings', () => {
  const { service, serviceTemplate: template } = synthesizeApp({
    sendConcurrency: 0,
    apiDomain: 'follow.acme.example',
    inbox: 'Notes@Acme.example',
    allowedSenderDomains: 'acme.example,acme-sales.example',
    from: 'followthrough@acme.example',
  });
  const environment = (name: 'scheduled-send' | 'ses-inbound') =>
    environmentOf(template, service.functions[name].lambda);

  it('reserves no concurrency when sendConcurrency is 0, as an account with a quota of 10 needs', () => {
    expect(resourceOf(template, service.functions['scheduled-send'].lambda).Properties).not.toHaveProperty(
      'ReservedConcurrentExecutions',
    );
  });

  it('links to the custom API domain when one is given', () => {
    expect(environment('scheduled-send')).toMatchObject({ [ENV.baseUrl]: 'https://follow.acme.example' });
  });

  it('receives at the given inbox, lower-cased, and sends from the given address', () => {
    expect(environment('ses-inbound')).toMatchObject({
      [ENV.inboxAddress]: 'notes@acme.example',
      [ENV.fromAddress]: 'followthrough@acme.example',
      [AWS_ENV.inboundPrefix]: 'inbound/',
    });
    template.hasResourceProperties('AWS::SES::ReceiptRule', { Rule: { Recipients: ['notes@acme.example'] } });
  });

  it('[R5] gives SES inbound the allowed sender domains the deployment names', () => {
    expect(environment('ses-inbound')).toMatchObject({
      [AWS_ENV.allowedSenderDomains]: 'acme.example,acme-sales.example',
    });
  });
});
