import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { COMMANDS, main } from '../../local/cli.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

/** Every flag each command takes: its `--help` must have a line for each. */
const FLAGS: Record<string, string[]> = {
  check: ['--content', '--articles', '--json'],
  build: ['--content', '--articles', '--digest', '--out', '--all', '--history', '--date', '--schema'],
  preview: [
    '--digest',
    '--all',
    '--date',
    '--out',
    '--content',
    '--articles',
    '--theme',
    '--digest-json',
    '--templates',
    '--chromium',
    '--skip-screenshots',
    '--api',
    '--stack',
    '--token',
    '--iam',
  ],
  send: [
    '--digest',
    '--all',
    '--yes',
    '--dry-run',
    '--to',
    '--force',
    '--no-wait',
    '--timeout',
    '--api',
    '--stack',
    '--token',
    '--iam',
  ],
  issues: [
    '--digest',
    '--limit',
    '--content',
    '--json',
    '--senders-stopped',
    '--no-wait',
    '--api',
    '--stack',
    '--token',
    '--iam',
  ],
  schedules: ['--content', '--json', '--tz', '--from'],
  subscribers: [
    '--stack',
    '--endpoint',
    '--table',
    '--region',
    '--aws',
    '--content',
    '--json',
    '--digests',
    '--name',
    '--consent-source',
    '--confirmed',
    '--status',
    '--digest',
    '--limit',
    '--out',
    '--dry-run',
    '--force',
    '--yes',
    '--secret-file',
    '--secret-arn',
    '--issues-table',
    '--deliveries-table',
  ],
};

/** A command line of each command that fails on an unknown flag before doing anything. */
const unknownFlag = (name: string) =>
  name === 'subscribers' ? [name, 'list', '--no-such-flag'] : [name, '--no-such-flag'];

/** The lines of one `--help` section (`flags:`, `examples:`), up to the blank line after it. */
function section(lines: string[], title: string): string[] {
  const start = lines.indexOf(title);
  if (start < 0) return [];
  const end = lines.indexOf('', start);
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

describe.each(Object.keys(COMMANDS))('broadsheet %s --help', (name) => {
  it('prints usage, a line per flag, examples and exit codes on stdout, and exits 0', async () => {
    const { io, out, err } = capture();
    expect(await main([name, '--help'], io)).toBe(0);
    expect(err).toEqual([]);
    expect(out[0]).toMatch(new RegExp(`^usage: broadsheet ${name}\\b`));
    const flagLines = section(out, 'flags:');
    const listed = flagLines.flatMap((line) => /^ {2}(-h, )?(--[a-z][a-z-]*)/.exec(line)?.[2] ?? []);
    expect(listed).toContain('--help');
    expect(new Set(listed).size, 'no flag listed twice').toBe(listed.length);
    for (const flag of FLAGS[name] ?? []) expect(listed, `${name} ${flag}`).toContain(flag);
    if (FLAGS[name] === undefined) expect(listed.length, `${name} lists its flags`).toBeGreaterThan(1);
    const examples = section(out, 'examples:');
    expect(examples.length, `${name} has examples`).toBeGreaterThan(0);
    for (const example of examples) expect(example).toMatch(new RegExp(`^ {2}broadsheet ${name}\\b`));
    expect(out.at(-1)).toMatch(/^exit codes: 0 .*, 1 .*, 2 the command line is wrong$/);
  });

  it('answers -h the same way', async () => {
    const long = capture();
    const short = capture();
    await main([name, '--help'], long.io);
    expect(await main([name, '-h'], short.io)).toBe(0);
    expect(short.out).toEqual(long.out);
  });

  it('exits 2 on an unknown flag, with its usage on stderr and nothing on stdout', async () => {
    const { io, out, err } = capture();
    expect(await main(unknownFlag(name), io)).toBe(2);
    expect(out).toEqual([]);
    expect(err[0]).toMatch(new RegExp(`^broadsheet ${name}: .*--no-such-flag`));
    expect(err).toContain(`Run \`broadsheet ${name} --help\` for every flag and examples.`);
  });
});

describe('broadsheet itself', () => {
  it('--help lists every command on stdout and exits 0', async () => {
    const { io, out, err } = capture();
    expect(await main(['--help'], io)).toBe(0);
    expect(err).toEqual([]);
    for (const name of Object.keys(COMMANDS)) expect(out.join('\n')).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it('with no command prints its usage on stderr and exits 2; an unknown command too', async () => {
    const none = capture();
    expect(await main([], none.io)).toBe(2);
    expect(none.out).toEqual([]);
    expect(none.err[0]).toMatch(/^usage: broadsheet <command>/);
    const unknown = capture();
    expect(await main(['sned'], unknown.io)).toBe(2);
    expect(unknown.err[0]).toBe('broadsheet: unknown command "sned"');
  });

  it('--version prints the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    const { io, out } = capture();
    expect(await main(['--version'], io)).toBe(0);
    expect(out).toEqual([`broadsheet ${version}`]);
  });
});

function issueView(issueId: string, createdAt: string, subject: string) {
  return {
    issueId,
    digestId: issueId.replace(/-\d{4}-.*$/, ''),
    scheduledDate: createdAt.slice(0, 10),
    status: 'sent',
    test: false,
    subject,
    createdAt,
    reason: null,
    enqueueComplete: true,
    counts: {
      recipients: 990,
      batches: 20,
      batchesDone: 20,
      sent: 980,
      rejected: 0,
      skipped: 10,
      unknown: 0,
      failed: 0,
    },
    progress: { finished: 990, total: 990, percent: 100 },
  };
}

/** A real HTTP server on 127.0.0.1 answering `GET /issues` with these issues. */
async function issuesApi(issues: unknown[]) {
  const asked: string[] = [];
  const server = createServer((req, res) => {
    asked.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ issues }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    asked,
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe('subcommands', () => {
  it('subscribers with no subcommand, or one it does not have (even an object key), exits 2 and says which', async () => {
    for (const [argv, message] of [
      [[], 'broadsheet subscribers: which subcommand?'],
      [['sohw'], 'broadsheet subscribers: unknown subcommand "sohw"'],
      [['constructor'], 'broadsheet subscribers: unknown subcommand "constructor"'],
    ] as const) {
      const { io, out, err } = capture();
      expect(await main(['subscribers', ...argv], io)).toBe(2);
      expect(out).toEqual([]);
      expect(err[0]).toBe(message);
    }
  });
});

describe('tables and filters', () => {
  it('issues --digest with an unknown digest names the known ones and exits 2, asking no API', async () => {
    const { io, out, err } = capture();
    expect(await main(['issues', '--digest', 'nope', '--api', 'http://127.0.0.1:9'], io)).toBe(2);
    expect(out).toEqual([]);
    expect(err[0]).toBe(
      'broadsheet issues: --digest: no digest "nope" in content/digests.yaml; known: weekly-diplomacy, monthly-security, everything',
    );
  });

  it('issues --digest of a known digest with no issues says so and exits 0', async () => {
    const api = await issuesApi([]);
    try {
      const { io, out } = capture();
      expect(await main(['issues', '--digest', 'everything', '--api', api.url, '--token', 't'], io)).toBe(0);
      expect(out).toEqual(['no issues of everything yet']);
      expect(api.asked).toEqual(['/issues?limit=20&digestId=everything']);
    } finally {
      await api.stop();
    }
  });

  it('issues lists a table with a header row and UTC times', async () => {
    const api = await issuesApi([
      issueView('weekly-diplomacy-2026-05-04T0700', '2026-05-04T07:00:12.000Z', 'The week in diplomacy'),
      issueView('everything-2026-05-03', '2026-05-03T18:30:00.000Z', 'Everything, Sunday'),
    ]);
    try {
      const { io, out } = capture();
      expect(await main(['issues', '--api', api.url, '--token', 't'], io)).toBe(0);
      expect(out).toEqual([
        'ISSUE                             STATUS  SENT     CREATED            SUBJECT',
        'weekly-diplomacy-2026-05-04T0700  sent    980/990  2026-05-04 07:00Z  The week in diplomacy',
        'everything-2026-05-03             sent    980/990  2026-05-03 18:30Z  Everything, Sunday',
      ]);
    } finally {
      await api.stop();
    }
  });

  it('subscribers list --digest with an unknown digest names the known ones and exits 2', async () => {
    const { io, err } = capture();
    expect(
      await main(['subscribers', 'list', '--digest', 'nope', '--endpoint', 'http://127.0.0.1:9'], io),
    ).toBe(2);
    expect(err[0]).toBe(
      'broadsheet subscribers: --digest: unknown digest nope; known: weekly-diplomacy, monthly-security, everything',
    );
  });
});
