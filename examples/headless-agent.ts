/**
 * A headless peripheral (a speaker with no screen or keyboard) that decides
 * who may pair: allowlisted phones at any time, anyone else only within 60 s
 * of an approval. The approval comes from an HTTP call (`curl -X POST
 * http://127.0.0.1:8080/approve`) or from touching a file (`touch
 * /run/ble-smp/approve`); the passkey for a phone with a keyboard goes to a
 * log line (a web page or an LED pattern would do as well).
 *
 *   npx tsx examples/headless-agent.ts hci0 8080 /run/ble-smp/approve
 */
import { type FSWatcher, watch } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Host, openTransport, type Transport } from 'ble-smp';
import { formatAddress, HeadlessAgent } from 'ble-smp/smp';

/** What {@link startSpeaker} runs: the host, the agent, and the approval signals. */
export interface Speaker {
  readonly host: Host;
  readonly agent: HeadlessAgent;
  /** The HTTP endpoint's port (POST /approve opens the window). */
  readonly port: number;
  /** Stops advertising, the HTTP endpoint and the file watch, and closes the host. */
  close(): Promise<void>;
}

/** Starts the speaker on a transport: advertises, accepts centrals, lets the agent decide. */
export async function startSpeaker(
  transport: Transport,
  options: {
    allowlist?: string[];
    httpPort?: number;
    approvalFile?: string;
    log?: (line: string) => void;
  } = {},
): Promise<Speaker> {
  const log = options.log ?? console.log;
  const agent = new HeadlessAgent({
    allowlist: options.allowlist ?? [],
    windowMs: 60_000,
    displayPasskey: (peer, passkey) =>
      log(`passkey for ${formatAddress(peer.address)}: ${String(passkey).padStart(6, '0')}`),
    onDecision: (d) =>
      log(`${d.kind} from ${formatAddress(d.peer.address)}: ${d.allowed ? 'allowed' : 'refused'} (${d.why})`),
  });
  const host = await Host.open(transport, { delegate: agent, policy: agent.policy });
  host.on('connection', (connection) => {
    connection.secure().then(
      (outcome) =>
        log(outcome.kind === 'paired' ? `paired (${outcome.result.model})` : 'encrypted with the bond'),
      (error: Error) => log(`not secured: ${error.message}`),
    );
    connection.once('disconnect', () => void host.startAdvertising().catch(() => undefined));
  });

  // Approval signal 1: an HTTP call on the loopback interface.
  const server: Server = createServer((request, response) => {
    if (request.method === 'POST' && request.url === '/approve') {
      agent.approve();
      log('pairing open for 60 s');
      response.writeHead(204).end();
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(options.httpPort ?? 0, '127.0.0.1', resolve));
  // Approval signal 2: a file touched (by a button's GPIO script, say).
  let watcher: FSWatcher | undefined;
  if (options.approvalFile) {
    watcher = watch(options.approvalFile, () => {
      agent.approve();
      log('pairing open for 60 s');
    });
  }
  await host.startAdvertising();
  return {
    host,
    agent,
    port: (server.address() as AddressInfo).port,
    async close() {
      watcher?.close();
      await new Promise((resolve) => server.close(resolve));
      await host.close();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const speaker = await startSpeaker(await openTransport(process.argv[2] ?? 'hci0'), {
    httpPort: Number(process.argv[3] ?? 8080),
    ...(process.argv[4] ? { approvalFile: process.argv[4] } : {}),
  });
  console.log(
    `advertising as ${speaker.host.addressString}; POST http://127.0.0.1:${speaker.port}/approve to allow pairing`,
  );
  process.once('SIGINT', () => void speaker.close());
}
