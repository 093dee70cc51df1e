/**
 * `ble-smp serve`: advertises, accepts centrals and answers their pairing as
 * peripheral.
 * @module
 */
import type { Connection } from '../../host/connection.js';
import { advertisingData } from '../advertising-data.js';
import { cliDelegate, type PromptOptions, terminalAsk } from '../cli-delegate.js';
import type { CommandIo } from '../io.js';
import { openHost } from '../open-host.js';
import { describeAddress, printer, printFailed, printSecured } from '../security-events.js';
import { parseCommandArgs, SECURITY_USAGE, securitySettings, stringOption } from './security-options.js';

export const SERVE_USAGE = `Usage: ble-smp serve --hci T [--name NAME] [--once] [options]

Advertises (connectable), accepts centrals and, as peripheral, asks each to
secure the link (Security Request) and answers its pairing, or its
encryption with a kept bond (an LE Long Term Key Request answered from the
bond store). Runs until SIGINT or SIGTERM; with --once, exits when the first
connection's security procedure ends.

  --name NAME        the name to advertise (Complete Local Name; shortened
                     when longer than the advertising data holds)
  --once             exit after the first connection is paired, encrypted
                     with a bond, or failed (0 paired or encrypted, 1 failed)
${SECURITY_USAGE}`;

/** How long --once waits for the central to leave before closing the link itself. */
const LINGER_MS = 1000;

/**
 * Runs the command with its arguments (after `serve`); resolves to the exit
 * status: with --once, 0 paired or 1 failed; without, 0 once stopped by
 * SIGINT, SIGTERM or `signal`; 2 for a usage error or a transport that cannot be opened.
 * @example
 * ```ts
 * process.exitCode = await serveCommand(['--hci', 'hci0', '--io-cap', 'display-only'], processIo);
 * ```
 */
export async function serveCommand(
  argv: string[],
  io: CommandIo,
  signal?: AbortSignal,
  options: PromptOptions = {},
): Promise<number> {
  const values = parseCommandArgs(argv, { once: { type: 'boolean' }, name: { type: 'string' } });
  const name = stringOption(values, 'name');
  const advertising = { data: advertisingData(name) };
  const settings = securitySettings(values, 'responder');
  const once = values.once === true;
  const print = printer(io, settings.json);
  const delegate = cliDelegate(settings, print, options.ask ?? terminalAsk());
  const host = await openHost('serve', settings, delegate, io);
  if (typeof host === 'number') return host;

  let status = 0;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    finish();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (signal?.aborted) stop();
  else signal?.addEventListener('abort', stop, { once: true });
  let served = false;

  const readvertise = () => {
    if (stopping || once) return;
    host.startAdvertising(advertising).catch((error: Error) => {
      io.err(`ble-smp serve: cannot advertise again: ${error.message}`);
      status = 1;
      stop();
    });
  };

  host.on('connection', (connection: Connection) => {
    if (once && served) {
      connection.disconnect().catch(() => undefined);
      return;
    }
    served = true;
    const peer = describeAddress(connection.peer);
    print(
      { type: 'connected', peer: peer.address, peerType: peer.type, role: connection.role },
      `connected: ${peer.address} (${peer.type}) as ${connection.role}`,
    );
    connection.on('disconnect', () => {
      print(
        { type: 'disconnected', peer: peer.address, peerType: peer.type },
        `disconnected: ${peer.address} (${peer.type})`,
      );
      readvertise();
    });
    // A Security Request asks the central to pair or encrypt with its bond; a central already pairing
    // ignores it (Vol 3 Part H 3.6.7).
    connection
      .secure()
      .then(
        (outcome) => {
          printSecured(print, outcome);
          return 0;
        },
        (error: unknown) => {
          printFailed(print, error);
          return 1;
        },
      )
      .catch((error: Error) => {
        io.err(`ble-smp serve: ${error.message}`);
        return 1;
      })
      .then(async (outcome) => {
        if (!once) return;
        status = outcome;
        // Give the central a moment to finish (its last PDUs' acknowledgements) and leave.
        if (connection.connected) {
          await Promise.race([
            new Promise((resolve) => connection.once('disconnect', resolve)),
            new Promise((resolve) => setTimeout(resolve, LINGER_MS).unref()),
          ]);
        }
        stop();
      });
  });

  try {
    if (!stopping) {
      await host.startAdvertising(advertising);
      const us = describeAddress(host.airAddress);
      const identity = describeAddress(host.address);
      print(
        {
          type: 'ready',
          address: us.address,
          addressType: us.type,
          identity: identity.address,
          identityType: identity.type,
        },
        `advertising as ${us.address} (${us.type})` +
          (us.address === identity.address ? '' : `, identity ${identity.address} (${identity.type})`),
      );
    }
    await finished;
    return status;
  } catch (error) {
    io.err(`ble-smp serve: cannot advertise: ${(error as Error).message}`);
    return 1;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    signal?.removeEventListener('abort', stop);
    await Promise.race([
      Promise.allSettled(host.connections.map((c) => c.disconnect())),
      new Promise((resolve) => setTimeout(resolve, LINGER_MS).unref()),
    ]);
    await host.close();
  }
}
