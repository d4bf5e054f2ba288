import type { DigestConfig } from '../../functions/core/content/config.ts';

/** A digest config for engine tests: one sender, a weekly schedule, the themes asked for. */
export function testDigest(id: string, themes: string[], title = 'Test digest'): DigestConfig {
  return {
    id,
    title,
    description: `A digest of ${themes.join(', ')}.`,
    themes,
    schedule: { cron: '0 9 * * 1', timezone: 'Europe/London' },
    visualTheme: 'light',
    template: 'digest',
    sender: { name: 'Desk', address: 'desk@broadsheet.example' },
    postalAddress: 'Broadsheet, 1 Example Street, London',
  };
}
