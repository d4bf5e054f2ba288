import { readFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTableInput, TABLES } from '../../functions/adapters/dynamodb-tables.ts';
import { createTableAndWait } from '../../local/runtime/bootstrap.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/feeds');

export type Route = (req: IncomingMessage, res: ServerResponse) => void;

export interface FeedServer {
  base: string;
  routes: Map<string, Route>;
  /** Every request: path (with query), headers and when it arrived (ms). */
  requests: { path: string; headers: IncomingHttpHeaders; at: number }[];
  stop(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 (random port) answering from `routes` by path; 404 otherwise. */
export async function startFeedServer(): Promise<FeedServer> {
  const routes = new Map<string, Route>();
  const requests: FeedServer['requests'] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({ path: `${url.pathname}${url.search}`, headers: req.headers, at: performance.now() });
    const route = routes.get(url.pathname);
    if (route) route(req, res);
    else res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not found</h1>');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    routes,
    requests,
    stop: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const SENTENCES: Record<string, string[]> = {
  ferry: [
    'The berth will draw power from the grid at night and store it in batteries on the quay.',
    'Operators say the electric ferries will cut noise and fumes in the inner harbour.',
    'Councillors asked how the cost would be shared between the harbour trust and the ferry company.',
    'A consultation last summer drew more than four hundred responses from residents and businesses.',
    'Most respondents backed the plan, though some worried about traffic on the quay road during the works.',
    'The harbour master said the berth would be designed to take larger vessels in future.',
  ],
  lifeboat: [
    'The crew launched within eight minutes of the call from the coastguard.',
    'Both kayakers were wearing buoyancy aids, which the coxswain said had saved their lives.',
    'They were taken to the station, warmed up and checked over by paramedics.',
    'The lifeboat station has launched more than forty times this year, a record for the crew.',
    'Volunteers urged anyone heading out on the water to check the forecast and carry a phone in a waterproof pouch.',
    'The point is known for strong currents when the tide turns against the wind.',
  ],
  tide: [
    'The old instruments had drifted by several centimetres and were expensive to calibrate.',
    'Each new gauge sends a reading every minute over the mobile network to the control room.',
    'Engineers fixed the sensors to steel frames bolted into the concrete of the outer wall.',
    'The readings will be published openly so that sailors and researchers can use them.',
    'Storm surges last winter showed how little warning the harbour had of unusual water levels.',
    'The authority expects the gauges to last at least fifteen years with yearly checks.',
  ],
  market: [
    'Traders have asked for Sunday opening for years, saying visitors arrive at weekends.',
    'The trust will run a six-month trial and count visitors before deciding whether to keep it.',
    'Stallholders will pay a reduced pitch fee on Sundays during the trial.',
    'Parking on the quay will be free on Sunday mornings to help shoppers.',
    'The market has traded on the same site since the nineteenth century.',
    'A survey of shoppers found most would visit more often if the market opened at weekends.',
  ],
  timetable: [
    'The island route will run four sailings a day instead of six from Monday.',
    'The operator blamed the winter weather and a shortage of crew for the change.',
    'Islanders said the cuts would make it harder to reach hospital appointments on the mainland.',
    'The council has asked the operator to keep an early sailing for commuters and pupils.',
    'Freight bookings will be given priority on the first and last sailings of the day.',
    'The full timetable returns in April, when the summer season begins.',
  ],
  cafe: [
    'Her café on the front has been serving soup and scones to lifeboat volunteers for twenty years.',
    'The book gathers recipes from regulars, fishermen and the crew themselves.',
    'Every copy sold raises five pounds for the station’s new tractor.',
    'The first print run of five hundred copies sold out in a fortnight.',
    'A second edition will include a chapter on cooking the day’s catch.',
    'The crew said they were “touched and very well fed” by the gesture.',
  ],
};

/** About 150–250 words on a topic, as one paragraph of real sentences. */
export function longText(topic: keyof typeof SENTENCES, repeat = 2): string {
  const sentences = SENTENCES[topic] ?? [];
  return Array.from({ length: repeat }, () => sentences.join(' ')).join(' ');
}

/** A fixture file with `{{BASE}}` and the other placeholders filled in. */
export function fixture(name: string, vars: Record<string, string>): string {
  return readFileSync(path.join(FIXTURES, name), 'utf8').replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = vars[key];
    if (value === undefined) throw new Error(`fixture ${name}: no value for {{${key}}}`);
    return value;
  });
}

export interface Dynamo {
  db: DynamoDBDocumentClient;
  table: string;
  stop(): Promise<void>;
}

/** dynalite in memory with an `issues` table (feed state lives there). */
export async function startDynamo(): Promise<Dynamo> {
  const dynalite = createRequire(import.meta.url)('dynalite') as (o: object) => http.Server;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const dynamo = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const design = TABLES.find((t) => t.logicalName === 'issues');
  if (!design) throw new Error('no issues table design');
  await createTableAndWait(dynamo, createTableInput(design, 'issues'));
  return {
    db: DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } }),
    table: 'issues',
    stop: async () => {
      dynamo.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
