import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import * as z from 'zod';

/**
 * The local stack as `npm start` runs it (`tsx local/start.ts`, here `node --import tsx` so that the
 * stack is the child itself), in a process group of its own so SIGKILL takes all of it at once.
 */
export interface StackProcess {
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves when it printed "Ready." (rejects if it exits first). */
  ready: Promise<StackUrls>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

const stackJson = z.object({
  urls: z.object({ app: z.string(), inbox: z.string() }),
  endpoints: z.object({ dynamodb: z.string(), ses: z.string(), sqs: z.string(), s3: z.string() }),
  pid: z.number(),
});
export type StackUrls = z.infer<typeof stackJson>;

export function startStackProcess(options: {
  dataDir: string;
  port?: number;
  args?: string[];
  env?: Record<string, string>;
  /** Run the first-start demo (sign-up, confirmation, one issue of every digest); off by default. */
  demo?: boolean;
  /** Options for node itself (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
}): StackProcess {
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      '--import',
      'tsx',
      'local/start.ts',
      ...(options.demo ? [] : ['--no-demo']),
      '--no-schedules',
      ...(options.args ?? []),
    ],
    {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        PORT: String(options.port ?? 0),
        BROADSHEET_DATA_DIR: options.dataDir,
        ...(options.env ?? {}),
      },
    },
  );
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<StackUrls>((resolve, reject) => {
    const check = () => {
      if (text.includes('Ready. Ctrl-C to stop.')) {
        child.stdout?.off('data', check);
        resolve(stackJson.parse(JSON.parse(readFileSync(path.join(options.dataDir, 'stack.json'), 'utf8'))));
      }
    };
    child.stdout?.on('data', check);
    void exited.then(() => reject(new Error(`the stack exited before it was ready:\n${text}`)));
  });
  ready.catch(() => undefined);
  return {
    child,
    output: () => text,
    ready,
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-(child.pid ?? 0), signal);
      } catch {
        child.kill(signal);
      }
      await exited;
    },
  };
}

/** A port whose next three are free too (the stack's HTTP port; the emulators take the next three). */
export async function freePortRun(): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    // Below Linux's ephemeral range (32768–60999): an outgoing connection of the other test worker can take
    // a port there between this check and the stack binding it (seen once: EADDRINUSE in CI).
    const base = 20_000 + Math.floor(Math.random() * 12_000);
    let ok = true;
    for (let p = base; p < base + 4 && ok; p++) ok = await free(p);
    if (ok) return base;
  }
  throw new Error('no run of four free ports');
}

/** The process and its descendants (from /proc). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i] ?? -1) ?? []));
  return tree;
}

export interface ListeningSocket {
  pid: number;
  address: string;
  port: number;
}

function hexToAddress(hex: string): string {
  if (hex.length === 8) {
    const bytes = (hex.match(/../g) ?? []).map((b) => Number.parseInt(b, 16)).reverse();
    return bytes.join('.');
  }
  // IPv6: four little-endian 32-bit words.
  const words = (hex.match(/.{8}/g) ?? []).map((w) => (w.match(/../g) ?? []).reverse().join(''));
  const groups = words.join('').match(/.{4}/g) ?? [];
  return groups.map((g) => Number.parseInt(g, 16).toString(16)).join(':');
}

/** Every TCP socket in LISTEN state held by the given processes, from /proc/<pid>/fd and /proc/net/tcp{,6}. */
export function listeningSockets(pids: number[]): ListeningSocket[] {
  const owner = new Map<string, number>();
  for (const pid of pids) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode) owner.set(inode, pid);
      } catch {
        // closed meanwhile
      }
    }
  }
  const sockets: ListeningSocket[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const rows = readFileSync(table, 'utf8').trim().split('\n').slice(1);
    for (const row of rows) {
      const fields = row.trim().split(/\s+/);
      const [local, , state] = [fields[1] ?? '', fields[2], fields[3]];
      const inode = fields[9] ?? '';
      const pid = owner.get(inode);
      if (state !== '0A' || pid === undefined) continue;
      const [addressHex = '', portHex = '0'] = local.split(':');
      sockets.push({ pid, address: hexToAddress(addressHex), port: Number.parseInt(portHex, 16) });
    }
  }
  return sockets;
}
