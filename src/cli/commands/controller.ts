/**
 * `ble-smp controller`: serves virtual LE controllers over H4 on a loopback
 * TCP port or a Unix socket, so that another process (a second host, another
 * language's stack, a test harness) can pair against this library. Every
 * client gets its own controller; all of them share one virtual air, so they
 * can advertise to, connect to and pair with each other.
 * @module
 */
import { BlockList, createServer, isIPv4, isIPv6, type Server, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { encodeH4, H4Parser } from '../../hci/h4.js';
import {
  formatTransport,
  parseTransport,
  type TcpDescriptor,
  type UnixDescriptor,
} from '../../transport/parse.js';
import { TransportError } from '../../transport/transport.js';
import { VirtualAir } from '../../transport/virtual/air.js';
import type { VirtualController } from '../../transport/virtual/controller.js';
import { type CommandIo, UsageError } from '../io.js';
import { PROFILE_OPTION_USAGE, profileOption } from '../profile-option.js';

export const CONTROLLER_USAGE = `Usage: ble-smp controller --listen tcp:HOST:PORT|unix:PATH [--profile NAME] [--json]

Serves virtual LE controllers over H4. Each client that connects gets a new
controller; all of them share one virtual air, so they see each other's
advertising and can connect and pair. A client that disconnects powers its
controller off (its peers see the link drop); a client that breaks H4 framing
is disconnected. Runs until SIGINT or SIGTERM.

  --listen ADDR  tcp:HOST:PORT on a loopback host (127.0.0.0/8, ::1 or
                 localhost; port 0 picks a free port; IPv6 in brackets, as in
                 tcp:[::1]:9000), or unix:PATH
${PROFILE_OPTION_USAGE}
  --json         print one JSON object per line: first
                 {"type":"ready","listen":ADDR} with the actual address, then
                 {"type":"client","event":"connected"|"disconnected","id":N}`;

/** The listen addresses the command accepts; anything else is refused. */
const LOOPBACK_RULE = 'the host must be a loopback address (127.0.0.0/8, ::1 or localhost), or use unix:PATH';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

type ListenAddress = TcpDescriptor | UnixDescriptor;

/**
 * Runs the command with its arguments (after `controller`); resolves to the
 * exit status once the server has closed: 0 after SIGINT, SIGTERM or `signal`
 * aborting, 2 when it cannot listen (address in use, no permission), 1 when
 * the server fails later.
 * @example
 * ```ts
 * const stop = new AbortController();
 * const done = controllerCommand(['--listen', 'tcp:127.0.0.1:0', '--json'], processIo, stop.signal);
 * // ... later
 * stop.abort();
 * await done; // 0
 * ```
 */
export async function controllerCommand(
  argv: string[],
  io: CommandIo,
  signal?: AbortSignal,
): Promise<number> {
  const { values } = parseOptions(argv);
  if (values.listen === undefined)
    throw new UsageError('--listen is required, as in --listen tcp:127.0.0.1:9000');
  const address = parseListen(values.listen);
  const profile = profileOption(values.profile);
  const json = values.json === true;
  const print = (event: Record<string, unknown>, human: string) =>
    io.out(json ? JSON.stringify(event) : human);

  const air = new VirtualAir();
  const clients = new Set<Socket>();
  const closing = new Set<Promise<void>>();
  let nextId = 1;

  const server = createServer((socket) => {
    const id = nextId++;
    let controller: VirtualController;
    try {
      controller = air.createController(profile ? { profile } : {});
    } catch (error) {
      io.err(`ble-smp controller: client ${id}: no controller: ${(error as Error).message}`);
      socket.destroy();
      return;
    }
    clients.add(socket);
    print({ type: 'client', event: 'connected', id }, `client ${id} connected`);
    const parser = new H4Parser();

    controller.onPacket((packet) => {
      if (!socket.destroyed && socket.writable) socket.write(encodeH4(packet));
    });
    socket.on('data', (chunk: Buffer) => {
      const { packets, error } = parser.push(chunk);
      for (const packet of packets) {
        if (!controller.isOpen) return;
        try {
          controller.send(packet);
        } catch (sendError) {
          // Only a closed controller throws; the socket is going away with it.
          if (!(sendError instanceof TransportError)) throw sendError;
        }
      }
      if (error !== undefined) {
        io.err(`ble-smp controller: client ${id}: ${error}; disconnecting it`);
        socket.destroy();
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // ECONNRESET and EPIPE are a client going away; 'close' follows and reports it.
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') {
        io.err(`ble-smp controller: client ${id}: ${error.message}`);
      }
    });
    socket.on('close', () => {
      clients.delete(socket);
      const closed = controller.close();
      closing.add(closed);
      void closed.then(() => closing.delete(closed));
      print({ type: 'client', event: 'disconnected', id }, `client ${id} disconnected`);
    });
  });

  try {
    await listen(server, address);
  } catch (error) {
    io.err(`ble-smp controller: ${describeListenError(error, address)}`);
    return 2;
  }

  const actual = actualAddress(server, address);
  print({ type: 'ready', listen: formatTransport(actual) }, `listening on ${formatTransport(actual)}`);

  return new Promise<number>((resolve) => {
    let status = 0;
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
      server.close();
      for (const socket of clients) socket.destroy();
    };
    server.on('error', (error) => {
      io.err(`ble-smp controller: the server failed: ${error.message}`);
      status = 1;
      stop();
    });
    server.on('close', () => {
      // Closing controllers (sockets destroyed above) finish in a microtask; wait for them.
      void Promise.all([...closing, ...air.controllers.map((c) => c.close())]).then(() => resolve(status));
    });
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop, { once: true });
  });
}

function parseOptions(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: { listen: { type: 'string' }, json: { type: 'boolean' }, profile: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Reads --listen: tcp:HOST:PORT (port 0 allowed) on a loopback host, or unix:PATH. */
function parseListen(spec: string): ListenAddress {
  if (!spec.startsWith('tcp:') && !spec.startsWith('unix:')) {
    throw new UsageError(
      `--listen ${JSON.stringify(spec)}: use tcp:HOST:PORT or unix:PATH; ${LOOPBACK_RULE}`,
    );
  }
  // parseTransport wants a port to connect to (1..65535); a listener may also ask for 0, any free port.
  const anyPort = spec.startsWith('tcp:') && spec.endsWith(':0');
  let descriptor: ReturnType<typeof parseTransport>;
  try {
    descriptor = parseTransport(anyPort ? `${spec.slice(0, -1)}1` : spec);
  } catch (error) {
    if (!(error instanceof TransportError)) throw error;
    const problem = error.message.split('. Use one of:')[0] ?? error.message;
    throw new UsageError(`--listen: ${problem}`);
  }
  if (descriptor.type === 'unix') return descriptor;
  if (descriptor.type !== 'tcp')
    throw new UsageError(`--listen ${JSON.stringify(spec)}: use tcp:HOST:PORT or unix:PATH`);
  if (!isLoopback(descriptor.host)) {
    throw new UsageError(`--listen ${JSON.stringify(spec)}: ${LOOPBACK_RULE}`);
  }
  return anyPort ? { ...descriptor, port: 0 } : descriptor;
}

function isLoopback(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  if (isIPv4(host)) return LOOPBACK.check(host, 'ipv4');
  if (isIPv6(host)) return LOOPBACK.check(host, 'ipv6');
  return false;
}

function listen(server: Server, address: ListenAddress): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    if (address.type === 'unix') server.listen({ path: address.path }, onListening);
    else server.listen({ host: address.host, port: address.port }, onListening);
  });
}

/** The address the server actually listens on: the port picked for port 0, the address `localhost` resolved to. */
function actualAddress(server: Server, requested: ListenAddress): ListenAddress {
  const bound = server.address();
  if (requested.type === 'unix' || bound === null || typeof bound === 'string') return requested;
  return { type: 'tcp', host: bound.address, port: bound.port };
}

function describeListenError(error: unknown, address: ListenAddress): string {
  const where = formatTransport(address);
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EADDRINUSE':
      return address.type === 'unix'
        ? `cannot listen on ${where}: the path is in use; if no server is using it, remove the stale socket file`
        : `cannot listen on ${where}: the port is in use; pick another port, or port 0 for any free port`;
    case 'EACCES':
    case 'EPERM':
      return `cannot listen on ${where}: permission denied (${code})`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: this machine has no such address`;
    case 'ENOENT':
      return `cannot listen on ${where}: the directory does not exist`;
    default:
      return `cannot listen on ${where}: ${(error as Error).message}`;
  }
}
