/**
 * `ble-smp pair`: connects to a peripheral as central and pairs with it.
 * @module
 */
import { FixedChannel } from '../../hci/l2cap.js';
import { type Connection, ConnectionError } from '../../host/connection.js';
import { parseAddress } from '../../host/parse-address.js';
import { AttReader, parseReadTarget, printRead, type ReadTarget } from '../att-read.js';
import { cliDelegate, type PromptOptions, terminalAsk } from '../cli-delegate.js';
import { interruption } from '../interrupt.js';
import { type CommandIo, UsageError } from '../io.js';
import { leave } from '../leave.js';
import { openHost, transportFailure, transportLost } from '../open-host.js';
import { advertiserNamed, NAME_USAGE, peerName } from '../peer-by-name.js';
import { sayer, sayProgress } from '../progress.js';
import {
  describeAddress,
  printer,
  printFailed,
  printSecured,
  printStageFailure,
} from '../security-events.js';
import { parseCommandArgs, SECURITY_USAGE, securitySettings, stringOption } from './security-options.js';

export const PAIR_USAGE = `Usage: ble-smp pair --hci T --peer ADDR[/public|/random]|--name NAME [options]

Connects to the peripheral ADDR (aa:bb:cc:dd:ee:ff, public unless /random),
or to the first one heard advertising NAME (--name), as central and pairs
with it, or re-encrypts with the bond kept with it.

  --peer ADDR        the peripheral to pair with (required, or --name)
${NAME_USAGE}
  --force-pair       pair even when a kept bond meets the policy (else the
                     link is encrypted with the bond: an 'encrypted' event)
  --timeout-ms N     give up connecting after N ms (default 10000)
  --read ATTR        read ATTR over ATT before securing the link, and again
                     once it is secure; each outcome is printed (a 'read'
                     event: the value in hex, or the ATT error, as 0x05
                     insufficient-authentication) and leaves the exit status
                     as it is. ATTR: an attribute handle (0x000c) or a
                     characteristic UUID (2a00, or 128-bit), read by type.
                     A value longer than 22 octets is cut there.

In text mode it says what it does as it does it: connecting, connected,
pairing (the method and model once known), the prompt, waiting for the
peer's user, keys distributed, bonded, then the outcome.

Events with --json, one object a line on stdout:
  found        with --name: the advertiser chosen, {"type":"found",
               "address","addressType","rssi","connectable","name",
               "identity","identityType"}
  connected    {"type":"connected","peer","peerType","role"}
  read         with --read, each read's outcome
  prompt       {"type":"prompt","kind","value"?}: a number to confirm, a
               passkey to show or to enter
  paired       {"type":"paired","method","model","keySize","authenticated",
               "bonded","distributed","received","peerIdentity"?}: the
               names of the keys; with --show-keys the keys too
  encrypted    encrypted with a kept bond (no keys)
  failed       {"type":"failed","stage","code","message",...}: stage
               trace, transport, controller, bonds, oob, scan (--name:
               code not-found or controller), connect (code
               timeout, refused or closed), pairing (code the SMP reason's
               name, "reason", "by") or encryption
  interrupted  {"type":"interrupted","signal","status"}: SIGINT or SIGTERM
               (after the failed pairing's event), last

The options pair and serve share:
${SECURITY_USAGE}`;

/** Reads --peer: `aa:bb:cc:dd:ee:ff[/public|/random]`. */
function parsePeer(text: string): { address: Uint8Array; type: 0 | 1 } {
  const [address = '', kind = 'public', ...rest] = text.split('/');
  if (rest.length > 0 || (kind !== 'public' && kind !== 'random')) {
    throw new UsageError(`--peer ${JSON.stringify(text)}: use aa:bb:cc:dd:ee:ff[/public|/random]`);
  }
  try {
    return { address: parseAddress(address), type: kind === 'public' ? 0 : 1 };
  } catch (error) {
    throw new UsageError(`--peer: ${(error as Error).message}`);
  }
}

/** A ConnectionError's kind, as the `failed` event's code. */
const connectCode = (error: ConnectionError) =>
  error.timeout ? 'timeout' : error.status !== undefined ? 'refused' : 'closed';

/**
 * Runs the command with its arguments (after `pair`); resolves to the exit
 * status: 0 paired, 1 the connection or the pairing failed, 2 a usage error
 * or a transport that cannot be opened, 130 after SIGINT (or `signal`
 * aborting), 143 after SIGTERM: the pairing under way fails, the link is
 * disconnected and the controller reset.
 * @example
 * ```ts
 * process.exitCode = await pairCommand(['--hci', 'hci0', '--peer', 'c0:ff:ee:00:00:01/random'], processIo);
 * ```
 */
export async function pairCommand(
  argv: string[],
  io: CommandIo,
  signal?: AbortSignal,
  options: PromptOptions = {},
): Promise<number> {
  const values = parseCommandArgs(argv, {
    peer: { type: 'string' },
    name: { type: 'string' },
    'timeout-ms': { type: 'string' },
    'force-pair': { type: 'boolean' },
    read: { type: 'string' },
  });
  const settings = securitySettings(values, 'initiator');
  const peerText = stringOption(values, 'peer');
  const name = peerName(peerText, stringOption(values, 'name'));
  let peer = peerText === undefined ? undefined : parsePeer(peerText);
  let timeoutMs = 10_000;
  const timeoutText = stringOption(values, 'timeout-ms');
  if (timeoutText !== undefined) {
    timeoutMs = /^\d+$/.test(timeoutText) ? Number(timeoutText) : 0;
    if (timeoutMs <= 0) throw new UsageError(`--timeout-ms ${timeoutText}: a positive number`);
  }
  const readText = stringOption(values, 'read');
  let target: ReadTarget | undefined;
  try {
    target = readText === undefined ? undefined : parseReadTarget(readText);
  } catch (error) {
    throw new UsageError(`--read ${(error as Error).message}`);
  }
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
        `${interrupt.message}: disconnecting, resetting the controller`,
      );
      return interrupt.status ?? 130;
    };
    const delegate = cliDelegate(
      settings,
      { print, say, json: settings.json },
      options.ask ?? terminalAsk(),
      interrupt.signal,
    );
    const reader = new AttReader();
    const host = await openHost('pair', settings, delegate, io, {
      ...(target ? { att: reader.att } : {}),
      signal: interrupt.signal,
    });
    if (typeof host === 'number') return interrupt.status !== undefined ? interrupted() : host;
    const read = async (link: Connection) => {
      if (!target) return;
      const send = (pdu: Uint8Array) => host.sendL2cap(link.handle, FixedChannel.Att, pdu);
      printRead(print, target, await reader.read(link, target, send));
    };
    // The first signal fails the pairing under way and leaves; each step below then ends.
    const onInterrupt = () => void leave(host, interrupt.message);
    interrupt.signal.addEventListener('abort', onInterrupt, { once: true });
    try {
      if (interrupt.signal.aborted) return interrupted();
      peer ??= await advertiserNamed(host, name ?? '', {
        timeoutMs,
        json: settings.json,
        io,
        signal: interrupt.signal,
      });
      if (!peer) return interrupt.status !== undefined ? interrupted() : 1;
      const shown = describeAddress({ address: peer.address, type: peer.type });
      say(`connecting to ${shown.address} (${shown.type}), giving up after ${timeoutMs / 1000} s`);
      let connection: Connection;
      try {
        connection = await host.connect(peer.address, peer.type, { timeoutMs });
      } catch (error) {
        if (interrupt.status !== undefined) return interrupted();
        const lost = transportLost(host);
        if (lost) {
          printStageFailure(io, settings.json, 'pair', transportFailure(lost));
          return 1;
        }
        if (!(error instanceof ConnectionError)) throw error;
        printStageFailure(io, settings.json, 'pair', {
          stage: 'connect',
          code: connectCode(error),
          ...(error.status !== undefined ? { status: error.status } : {}),
          message: error.message,
        });
        return 1;
      }
      const peerAddress = describeAddress(connection.peer);
      print(
        { type: 'connected', peer: peerAddress.address, peerType: peerAddress.type, role: connection.role },
        `connected: ${peerAddress.address} (${peerAddress.type}) as ${connection.role}`,
      );
      sayProgress(host, connection, say);
      await read(connection);
      if (interrupt.status !== undefined) return interrupted();
      try {
        const outcome = await connection.secure({ forcePair: values['force-pair'] === true });
        printSecured(print, outcome, settings.showKeys);
      } catch (error) {
        const lost = transportLost(host);
        // The controller went away: that is the outcome, not the pairing it cut.
        if (lost && interrupt.status === undefined)
          printStageFailure(io, settings.json, 'pair', transportFailure(lost));
        else printFailed(print, error);
        return interrupt.status !== undefined ? interrupted() : 1;
      }
      await read(connection);
      return interrupt.status !== undefined ? interrupted() : 0;
    } finally {
      interrupt.signal.removeEventListener('abort', onInterrupt);
      await leave(host, interrupt.status !== undefined ? interrupt.message : undefined);
    }
  }
}
