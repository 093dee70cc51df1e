/**
 * `ble-smp pair`: connects to a peripheral as central and pairs with it.
 * @module
 */
import { FixedChannel } from '../../hci/l2cap.js';
import { type Connection, ConnectionError } from '../../host/connection.js';
import { parseAddress } from '../../host/parse-address.js';
import { AttReader, parseReadTarget, printRead, type ReadTarget } from '../att-read.js';
import { cliDelegate, type PromptOptions, terminalAsk } from '../cli-delegate.js';
import { type CommandIo, UsageError } from '../io.js';
import { openHost } from '../open-host.js';
import { describeAddress, printer, printFailed, printSecured } from '../security-events.js';
import { parseCommandArgs, SECURITY_USAGE, securitySettings, stringOption } from './security-options.js';

export const PAIR_USAGE = `Usage: ble-smp pair --hci T --peer ADDR[/public|/random] [options]

Connects to the peripheral ADDR (aa:bb:cc:dd:ee:ff, public unless /random)
as central and pairs with it, or re-encrypts with the bond kept with it.

  --peer ADDR        the peripheral to pair with (required)
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

/**
 * Runs the command with its arguments (after `pair`); resolves to the exit
 * status: 0 paired, 1 the connection or the pairing failed, 2 a usage error
 * or a transport that cannot be opened. `signal` (or SIGINT) gives up.
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
    'timeout-ms': { type: 'string' },
    'force-pair': { type: 'boolean' },
    read: { type: 'string' },
  });
  const settings = securitySettings(values, 'initiator');
  const peerText = stringOption(values, 'peer');
  if (peerText === undefined)
    throw new UsageError('--peer is required, as in --peer c0:ff:ee:00:00:01/random');
  const peer = parsePeer(peerText);
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
  const print = printer(io, settings.json);
  const delegate = cliDelegate(settings, print, options.ask ?? terminalAsk());
  const reader = new AttReader();
  const host = await openHost('pair', settings, delegate, io, target ? { att: reader.att } : {});
  if (typeof host === 'number') return host;
  const read = async (link: Connection) => {
    if (!target) return;
    const send = (pdu: Uint8Array) => host.sendL2cap(link.handle, FixedChannel.Att, pdu);
    printRead(print, target, await reader.read(link, target, send));
  };

  const stop = () => void host.close();
  process.on('SIGINT', stop);
  signal?.addEventListener('abort', stop, { once: true });
  let connection: Connection | undefined;
  try {
    if (signal?.aborted) return 1;
    try {
      connection = await host.connect(peer.address, peer.type, { timeoutMs });
    } catch (error) {
      if (!(error instanceof ConnectionError)) throw error;
      io.err(`ble-smp pair: ${error.message}`);
      return 1;
    }
    const peerAddress = describeAddress(connection.peer);
    print(
      { type: 'connected', peer: peerAddress.address, peerType: peerAddress.type, role: connection.role },
      `connected: ${peerAddress.address} (${peerAddress.type}) as ${connection.role}`,
    );
    await read(connection);
    try {
      printSecured(print, await connection.secure({ forcePair: values['force-pair'] === true }));
    } catch (error) {
      printFailed(print, error);
      return 1;
    }
    await read(connection);
    return 0;
  } finally {
    process.off('SIGINT', stop);
    signal?.removeEventListener('abort', stop);
    if (connection?.connected) {
      // Leave the link cleanly, so the peer hears a disconnection rather than a vanished controller.
      await Promise.race([
        connection.disconnect().catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, 1000).unref()),
      ]);
    }
    await host.close();
  }
}
