/**
 * `ble-smp serve`: advertises, accepts centrals and answers their pairing as
 * peripheral.
 * @module
 */
import type { Connection } from '../../host/connection.js';
import { advertisingData } from '../advertising-data.js';
import { cliDelegate, type PromptOptions, terminalAsk } from '../cli-delegate.js';
import { interruption } from '../interrupt.js';
import type { CommandIo } from '../io.js';
import { leave } from '../leave.js';
import { onTransportLost, openHost, transportFailure, transportLost } from '../open-host.js';
import { sayer, sayProgress } from '../progress.js';
import {
  describeAddress,
  printer,
  printFailed,
  printSecured,
  printStageFailure,
} from '../security-events.js';
import { parseCommandArgs, SECURITY_USAGE, securitySettings, stringOption } from './security-options.js';

export const SERVE_USAGE = `Usage: ble-smp serve --hci T [--name NAME] [--once] [options]

Advertises (connectable), accepts centrals and, as peripheral, asks each to
secure the link (Security Request) and answers its pairing, or its
encryption with a kept bond (an LE Long Term Key Request answered from the
bond store). Runs until SIGINT or SIGTERM (exit status 130 or 143); with
--once, exits when the first connection's security procedure ends.

  --name NAME        the name to advertise (Complete Local Name; shortened
                     when longer than the advertising data holds)
  --once             exit after the first connection is paired, encrypted
                     with a bond, or failed (0 paired or encrypted, 1 failed;
                     130 when interrupted first)

In text mode it says what it does: advertising as NAME on ADDR, each
connection, pairing (the method and model once known), the prompt, waiting
for the peer's user, keys distributed, bonded, the outcome, disconnected.

Events with --json, one object a line on stdout:
  ready         {"type":"ready","name"?,"address","addressType","identity",
                "identityType"}: advertising
  connected     {"type":"connected","peer","peerType","role"}
  prompt        {"type":"prompt","kind","value"?}: a number to confirm, a
                passkey to show or to enter
  paired        {"type":"paired","method","model","keySize","authenticated",
                "bonded","distributed","received","peerIdentity"?}: the
                names of the keys; with --show-keys the keys too
  encrypted     the central encrypted with a kept bond (no keys)
  failed        {"type":"failed","stage","code","message",...}: stage
                trace, transport, controller, bonds, oob, advertise,
                pairing (code the SMP reason's name, "reason", "by") or
                encryption
  disconnected  {"type":"disconnected","peer","peerType"}: after the
                connection's paired, encrypted or failed
  interrupted   {"type":"interrupted","signal","status"}: SIGINT or SIGTERM,
                last

The options pair and serve share:
${SECURITY_USAGE}`;

/** How long --once waits for the central to leave before closing the link itself. */
const LINGER_MS = 1000;

/**
 * Runs the command with its arguments (after `serve`); resolves to the exit
 * status: with --once, 0 paired or 1 failed; 130 once stopped by SIGINT or
 * `signal`, 143 by SIGTERM (with or without --once: a pairing under way fails,
 * the links are disconnected and the controller reset); 2 for a usage error or
 * a transport that cannot be opened.
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
  const interrupt = interruption(signal);
  try {
    return await run();
  } finally {
    interrupt.dispose();
  }

  async function run(): Promise<number> {
    const print = printer(io, settings.json);
    const say = sayer(io, settings.json);
    const interrupted = () => {
      print(
        { type: 'interrupted', signal: interrupt.by, status: interrupt.status },
        `${interrupt.message}: links disconnected, controller reset`,
      );
      return interrupt.status ?? 130;
    };
    const delegate = cliDelegate(
      settings,
      { print, say, json: settings.json },
      options.ask ?? terminalAsk(),
      interrupt.signal,
    );
    const host = await openHost('serve', settings, delegate, io, { signal: interrupt.signal });
    if (typeof host === 'number') return interrupt.status !== undefined ? interrupted() : host;

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
    // The first signal fails the pairings under way and leaves; the outcomes are printed, then it stops.
    const onInterrupt = () => {
      stopping = true;
      void leave(host, interrupt.message).then(finish);
    };
    if (interrupt.signal.aborted) onInterrupt();
    else interrupt.signal.addEventListener('abort', onInterrupt, { once: true });
    // The controller went away (unplugged, its server stopped): say so once, and stop with status 1.
    onTransportLost(host, (error) => {
      printStageFailure(io, settings.json, 'serve', transportFailure(error));
      status = 1;
      stop();
    });
    let served = false;
    /** Every connection's security outcome, printed or not yet. */
    const outcomes = new Set<Promise<unknown>>();

    const readvertise = () => {
      if (stopping || once) return;
      host.startAdvertising(advertising).catch((error: Error) => {
        printStageFailure(io, settings.json, 'serve', {
          stage: 'advertise',
          code: 'controller',
          message: `cannot advertise again: ${error.message}`,
        });
        status = 1;
        stop();
      });
    };

    host.on('connection', (connection: Connection) => {
      if (stopping || (once && served)) {
        connection.disconnect().catch(() => undefined);
        return;
      }
      served = true;
      const peer = describeAddress(connection.peer);
      print(
        { type: 'connected', peer: peer.address, peerType: peer.type, role: connection.role },
        `connected: ${peer.address} (${peer.type}) as ${connection.role}`,
      );
      sayProgress(host, connection, say);
      // A Security Request asks the central to pair or encrypt with its bond; a central already pairing
      // ignores it (Vol 3 Part H 3.6.7).
      const outcome = connection
        .secure()
        .then(
          (secured) => {
            printSecured(print, secured, settings.showKeys);
            return 0;
          },
          (error: unknown) => {
            // A pairing cut by the controller going away: the transport failure is the outcome printed.
            if (!transportLost(host)) printFailed(print, error);
            return 1;
          },
        )
        .catch((error: Error) => {
          io.err(`ble-smp serve: ${error.message}`);
          return 1;
        });
      outcomes.add(outcome);
      // The outcome is printed before the disconnection: secure() settles when the link goes, at the latest.
      connection.on('disconnect', () => {
        void outcome.then(() => {
          print(
            { type: 'disconnected', peer: peer.address, peerType: peer.type },
            `disconnected: ${peer.address} (${peer.type})`,
          );
          outcomes.delete(outcome);
          readvertise();
        });
      });
      void outcome.then(async (result) => {
        if (!once) return;
        status = result;
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
            ...(name !== undefined ? { name } : {}),
            address: us.address,
            addressType: us.type,
            identity: identity.address,
            identityType: identity.type,
          },
          `advertising as ${name !== undefined ? `${JSON.stringify(name)} on ` : ''}${us.address} (${us.type})` +
            (us.address === identity.address ? '' : `, identity ${identity.address} (${identity.type})`) +
            (once ? '; exits after the first connection' : '; Ctrl-C stops'),
        );
      }
      await finished;
    } catch (error) {
      if (interrupt.status === undefined) {
        printStageFailure(io, settings.json, 'serve', {
          stage: 'advertise',
          code: 'controller',
          message: `cannot advertise: ${(error as Error).message}`,
        });
        return 1;
      }
    } finally {
      interrupt.signal.removeEventListener('abort', onInterrupt);
      await leave(host, interrupt.status !== undefined ? interrupt.message : undefined);
      // The outcomes of the links just left (a pairing failed, a disconnection) are printed before the end.
      await Promise.race([
        Promise.allSettled([...outcomes]),
        new Promise((resolve) => setTimeout(resolve, LINGER_MS).unref()),
      ]);
      await new Promise((resolve) => setImmediate(resolve));
    }
    return interrupt.status !== undefined ? interrupted() : status;
  }
}
