import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  freePortRun,
  listeningSockets,
  processTree,
  type StackProcess,
  startStackProcess,
} from './local-stack-process.ts';

const running: StackProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const stack of running) await stack.kill('SIGKILL');
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'broadsheet-stack-'));
  dirs.push(dir);
  return dir;
}

const ANY_ADDRESS = new Set(['0.0.0.0', '0:0:0:0:0:0:0:0']);

describe('npm start listens on loopback only', () => {
  it('every listening socket of the stack (HTTP, DynamoDB, SES, SQS + S3) is on 127.0.0.1', async () => {
    const port = await freePortRun();
    const stack = startStackProcess({ dataDir: await dataDir(), port });
    running.push(stack);
    await stack.ready;
    const sockets = listeningSockets(processTree(stack.child.pid ?? 0));
    expect(sockets.map((s) => s.port).sort()).toEqual([port, port + 1, port + 2, port + 3]);
    for (const socket of sockets) {
      expect(ANY_ADDRESS.has(socket.address), `${socket.address}:${socket.port}`).toBe(false);
      expect(socket.address).toBe('127.0.0.1');
    }
    await stack.kill('SIGTERM');
  }, 60_000);

  it('BROADSHEET_HOST moves every socket, and nothing else listens', async () => {
    const stack = startStackProcess({ dataDir: await dataDir(), env: { BROADSHEET_HOST: '127.0.0.2' } });
    running.push(stack);
    await stack.ready;
    const sockets = listeningSockets(processTree(stack.child.pid ?? 0));
    expect(sockets).toHaveLength(4);
    for (const socket of sockets) expect(socket.address).toBe('127.0.0.2');
    await stack.kill('SIGTERM');
  }, 60_000);
});

describe('start-up', () => {
  it('answers every request: refused before the port is bound, 503 + Retry-After until ready, never silence', async () => {
    const port = await freePortRun();
    const stack = startStackProcess({ dataDir: await dataDir(), port });
    running.push(stack);
    let ready = false;
    void stack.ready.then(() => {
      ready = true;
    });
    const seen: string[] = [];
    while (!ready) {
      const started = Date.now();
      const outcome = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5_000) }).then(
        async (response) => {
          await response.arrayBuffer();
          return response.status === 503
            ? `503 retry-after=${response.headers.get('retry-after')}`
            : String(response.status);
        },
        (error: Error) => (error.name === 'TimeoutError' ? 'timeout' : 'refused'),
      );
      expect(outcome, `after ${Date.now() - started} ms`).not.toBe('timeout');
      seen.push(outcome);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(seen).toContain('503 retry-after=1');
    expect(new Set(seen).size).toBeLessThanOrEqual(3);
    for (const outcome of seen) expect(['refused', '503 retry-after=1', '200']).toContain(outcome);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
    await stack.kill('SIGTERM');
  }, 60_000);
});
