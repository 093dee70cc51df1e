/**
 * Test helpers: a node:net server on loopback (127.0.0.1 or ::1, port 0) or on
 * a Unix socket in a temporary folder, standing in for an H4 controller.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The server end of one connection: what it received so far, and a way to wait for more. */
export class Peer {
  readonly socket: Socket;
  #received = Buffer.alloc(0);
  #waiters: { length: number; resolve: (bytes: Buffer) => void }[] = [];
  readonly ended: Promise<void>;

  constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#received = Buffer.concat([this.#received, chunk]);
      this.#waiters = this.#waiters.filter((w) => {
        if (this.#received.length < w.length) return true;
        w.resolve(this.#received.subarray(0, w.length));
        return false;
      });
    });
    socket.on('error', () => undefined);
    this.ended = new Promise((resolve) => socket.once('end', () => resolve()));
  }

  /** Resolves with the first `length` octets received, once they are there. */
  receive(length: number): Promise<Buffer> {
    if (this.#received.length >= length) return Promise.resolve(this.#received.subarray(0, length));
    return new Promise((resolve) => this.#waiters.push({ length, resolve }));
  }

  /** Writes, and waits until the write left for the client, so that separate writes arrive as separate reads more often. */
  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.write(bytes, (error) => (error ? reject(error) : resolve())),
    );
  }
}

/** A listening server and the connections it accepted. */
export interface TestServer {
  readonly server: Server;
  /** The next accepted connection. */
  next(): Promise<Peer>;
  close(): Promise<void>;
}

function serve(listen: (server: Server, ready: () => void) => void): Promise<TestServer> {
  const server = createServer();
  const accepted: Peer[] = [];
  const waiting: ((peer: Peer) => void)[] = [];
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const peer = new Peer(socket);
    const waiter = waiting.shift();
    if (waiter) waiter(peer);
    else accepted.push(peer);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    listen(server, () =>
      resolve({
        server,
        next: () => {
          const peer = accepted.shift();
          return peer ? Promise.resolve(peer) : new Promise((r) => waiting.push(r));
        },
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      }),
    );
  });
}

/** A TCP server on a loopback address and an ephemeral port. */
export async function tcpServer(
  host: '127.0.0.1' | '::1' = '127.0.0.1',
): Promise<TestServer & { port: number }> {
  const test = await serve((server, ready) => server.listen({ host, port: 0 }, ready));
  const address = test.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return { ...test, port: address.port };
}

/** A Unix socket server in a fresh temporary folder, removed on close. */
export async function unixServer(): Promise<TestServer & { path: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'ble-smp-transport-'));
  const path = join(dir, 'hci.sock');
  const test = await serve((server, ready) => server.listen({ path }, ready));
  return {
    ...test,
    path,
    close: async () => {
      await test.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A port on 127.0.0.1 where nothing listens: one the OS just handed out and got back. */
export async function closedPort(): Promise<number> {
  const { port, close } = await tcpServer();
  await close();
  return port;
}

/** Whether this host can listen on ::1. */
export async function hasIpv6Loopback(): Promise<boolean> {
  try {
    const { close } = await tcpServer('::1');
    await close();
    return true;
  } catch {
    return false;
  }
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
