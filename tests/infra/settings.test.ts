import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../functions/core/errors.ts';
import { addBroadsheet } from '../../infra/broadsheet-app.ts';
import { addressDomain, isOnDomain, readSettings } from '../../infra/settings.ts';

const context = (values: Record<string, unknown>) => (key: string) => values[key];

describe('readSettings', () => {
  it('derives the unsubscribe mailbox from the SES domain', () => {
    const settings = readSettings(context({ sesDomain: 'News.Example.COM' }));
    expect(settings.sesDomain).toBe('news.example.com');
    expect(settings.unsubscribeMailbox).toBe('unsubscribe@news.example.com');
    expect(settings.sendMaxConcurrency).toBe(2);
    expect(settings.createSesIdentity).toBe(true);
    expect(settings.stackPrefix).toBe('Broadsheet');
  });

  it('reads -c values given as strings on the command line', () => {
    const settings = readSettings(
      context({
        sesDomain: 'example.com',
        createSesIdentity: 'false',
        sendMaxConcurrency: '5',
        sendRateCap: '7.5',
      }),
    );
    expect(settings.createSesIdentity).toBe(false);
    expect(settings.sendMaxConcurrency).toBe(5);
    expect(settings.sendRateCap).toBe(7.5);
  });

  it('names each bad key', () => {
    expect(() => readSettings(context({}))).toThrow(/sesDomain/);
    expect(() => readSettings(context({ sesDomain: 'not a domain' }))).toThrow(ConfigError);
    expect(() => readSettings(context({ sesDomain: 'example.com', sendMaxConcurrency: '1' }))).toThrow(
      /sendMaxConcurrency/,
    );
    expect(() => readSettings(context({ sesDomain: 'example.com', alarmEmail: 'nobody' }))).toThrow(
      /alarmEmail/,
    );
    expect(() => readSettings(context({ sesDomain: 'example.com', createSesIdentity: 'yes' }))).toThrow(
      /createSesIdentity/,
    );
  });

  it('wants the API domain and its certificate together', () => {
    expect(() =>
      readSettings(context({ sesDomain: 'example.com', apiDomainName: 'news.example.com' })),
    ).toThrow(/apiCertificateArn/);
  });

  it('refuses a MAIL FROM subdomain when the identity is not created here', () => {
    expect(() =>
      readSettings(
        context({ sesDomain: 'example.com', createSesIdentity: false, mailFromSubdomain: 'mail' }),
      ),
    ).toThrow(/mailFromSubdomain/);
  });
});

describe('sender domains', () => {
  it('reads the domain of plain and named addresses', () => {
    expect(addressDomain('a@Example.com')).toBe('example.com');
    expect(addressDomain('Broadsheet <hello@news.example.com>')).toBe('news.example.com');
    expect(addressDomain('no-at-sign')).toBeUndefined();
  });

  it('accepts the domain and its subdomains, not look-alikes', () => {
    expect(isOnDomain('a@example.com', 'example.com')).toBe(true);
    expect(isOnDomain('a@mail.example.com', 'example.com')).toBe(true);
    expect(isOnDomain('a@badexample.com', 'example.com')).toBe(false);
    expect(isOnDomain('a@example.com.evil.test', 'example.com')).toBe(false);
  });

  it('stops the synth when a digest sends from outside the SES domain', () => {
    const app = new App({ context: { sesDomain: 'elsewhere.example', 'aws:cdk:bundling-stacks': [] } });
    expect(() => addBroadsheet(app)).toThrow(/weekly@broadsheet\.example/);
  });

  it('stops the synth when the publication (site.yaml) sends from outside the SES domain', () => {
    const app = new App({ context: { sesDomain: 'broadsheet.example', 'aws:cdk:bundling-stacks': [] } });
    expect(() =>
      addBroadsheet(app, { contentDir: 'tests/fixtures/publications/northfield-courier' }),
    ).toThrow(
      /site\.yaml sender is news@courier\.example; digest town-hall sender is townhall@courier\.example/,
    );
  });
});
