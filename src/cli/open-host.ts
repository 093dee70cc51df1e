/**
 * The host of `ble-smp pair` and `ble-smp serve`: the transport, the bond
 * store, and the trace and btmon taps the options ask for.
 * @module
 */

import { BondStoreError } from '../host/bond-store-error.js';
import { FileBondStore } from '../host/file-bond-store.js';
import { Host } from '../host/host.js';
import type { HostOptions } from '../host/host-options.js';
import type { PairingDelegate } from '../smp/delegate.js';
import { BtmonWriter } from '../trace/btmon-writer.js';
import type { BtsnoopWriter } from '../trace/btsnoop-writer.js';
import { openTransport } from '../transport/open.js';
import { type Transport, TransportError } from '../transport/transport.js';
import type { SecuritySettings } from './commands/security-options.js';
import type { CommandIo } from './io.js';
import { isLeaving } from './leave.js';
import { OobFileError, readOobFile, writeOobFile } from './oob-file.js';
import { printStageFailure } from './security-events.js';
import { tapped } from './tap.js';
import { privateTrace } from './trace-file.js';

/**
 * Opens the transport and a host on it, observed as --trace (a btsnoop file, mode 0600: it holds keys)
 * and --btmon (btmon-style lines: on stdout, or stderr with --json) ask. A
 * trace file or transport that cannot be opened, or a controller that does
 * not come up, is reported on stderr (and with --json as a `failed` event on
 * stdout: stage trace, transport, controller, bonds or oob) and gives the exit
 * status 2 instead of a host.
 * `options.att` sees the ATT PDUs (`pair --read`); `options.signal` aborting
 * while the controller comes up closes the transport (status 2, nothing printed).
 */
export async function openHost(
  command: string,
  settings: SecuritySettings,
  delegate: PairingDelegate,
  io: CommandIo,
  options: Pick<HostOptions, 'att'> & { readonly signal?: AbortSignal } = {},
): Promise<Host | number> {
  const { signal, ...hostOptions } = options;
  const fail = (stage: string, code: string, message: string) =>
    printStageFailure(io, settings.json, command, { stage, code, message });
  let writer: BtsnoopWriter | undefined;
  if (settings.trace !== undefined) {
    try {
      writer = privateTrace(settings.trace);
    } catch (error) {
      fail(
        'trace',
        (error as NodeJS.ErrnoException).code ?? 'error',
        `cannot write the trace ${settings.trace}: ${(error as Error).message}`,
      );
      return 2;
    }
  }
  let transport: Transport;
  try {
    transport = await openTransport(settings.hci);
  } catch (error) {
    await writer?.close();
    if (!(error instanceof TransportError)) throw error;
    fail('transport', error.code, error.message);
    return 2;
  }
  if (writer || settings.btmon) {
    const formatter = settings.btmon ? new BtmonWriter({ showKeys: settings.logKeys }) : undefined;
    const show = (line: string) => (settings.json ? io.err(line) : io.out(line));
    const trace = writer;
    transport = tapped(
      transport,
      (direction, packet) => {
        trace?.record(direction, packet);
        if (formatter) for (const line of formatter.lines(direction, packet)) show(line);
      },
      async () => trace?.close(),
    );
  }
  let host: Host;
  // Interrupted while the controller comes up: closing the transport ends Host.open at once.
  const opened = transport;
  const onAbort = () => void opened.close().catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal?.aborted) throw signal.reason;
    host = await Host.open(transport, {
      ...hostOptions,
      policy: settings.policy,
      delegate,
      ownAddress: settings.ownAddress,
      ...(settings.passkey !== undefined ? { fixedPasskey: settings.passkey } : {}),
      bondStore: (local) =>
        FileBondStore.open({ local, ...(settings.bonds ? { path: settings.bonds } : {}) }),
    });
  } catch (error) {
    await transport.close().catch(() => undefined);
    if (signal?.aborted) return 2;
    if (error instanceof BondStoreError) {
      fail('bonds', error.code, error.message);
      return 2;
    }
    fail(
      'controller',
      'no-start',
      `the controller on ${settings.hci} did not come up: ${(error as Error).message}`,
    );
    return 2;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  try {
    if (settings.oobIn !== undefined) host.security.addPeerOobData(readOobFile(settings.oobIn));
    if (settings.oobOut !== undefined) writeOobFile(settings.oobOut, host.localOobData());
  } catch (error) {
    await host.close();
    if (!(error instanceof OobFileError)) throw error;
    fail('oob', 'bad-file', error.message);
    return 2;
  }
  const made = host;
  transport.onClose((error) => {
    if (isLeaving(made)) return;
    const lost = error ?? new TransportError('disconnected', 'the controller closed the connection');
    losses.set(made, lost);
    for (const listener of lossListeners.get(made) ?? []) listener(lost);
  });
  return host;
}

const losses = new WeakMap<Host, Error>();
const lossListeners = new WeakMap<Host, ((error: Error) => void)[]>();

/**
 * The error that closed the host's transport when it was not closed by
 * {@link leave} (the controller unplugged, the controller server stopped),
 * once it happened.
 * @example
 * ```ts
 * if (transportLost(host)) printStageFailure(io, json, 'pair', transportFailure(transportLost(host)!));
 * ```
 */
export function transportLost(host: Host): Error | undefined {
  return losses.get(host);
}

/**
 * Calls `listener` when the host's transport closes other than by {@link leave}.
 * @example
 * ```ts
 * onTransportLost(host, (error) => console.error(`the controller went away: ${error.message}`));
 * ```
 */
export function onTransportLost(host: Host, listener: (error: Error) => void): void {
  lossListeners.set(host, [...(lossListeners.get(host) ?? []), listener]);
}

/**
 * A lost transport as a `failed` event: stage transport, the TransportError's code (else `disconnected`).
 * @example
 * ```ts
 * printStageFailure(io, json, 'serve', transportFailure(error));
 * ```
 */
export function transportFailure(error: Error): { stage: string; code: string; message: string } {
  return {
    stage: 'transport',
    code: error instanceof TransportError ? error.code : 'disconnected',
    message: `the transport to the controller closed: ${error.message}`,
  };
}
