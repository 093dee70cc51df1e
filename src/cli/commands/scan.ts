/**
 * `ble-smp scan`: the advertisers in range, printed as they are heard.
 * @module
 */
import { parseArgs } from 'node:util';
import { Scanner } from '../../host/scanner.js';
import { refuseAll } from '../../smp/delegate.js';
import { advertiserJson, advertiserLine } from '../advertiser-lines.js';
import { type CommandIo, UsageError } from '../io.js';
import { leave } from '../leave.js';
import { onTransportLost, openHost, transportFailure } from '../open-host.js';
import { printStageFailure } from '../security-events.js';
import { securitySettings } from './security-options.js';

export const SCAN_USAGE = `Usage: ble-smp scan --hci T [--duration S] [--json] [options]

Scans and prints the advertisers in range as they are heard: address and
type, RSSI, whether it is connectable, its name, and, for a bonded peer on a
resolvable private address, the identity the address resolves to through
the bond store's IRKs (the store of our identity, as pair and serve use, or
--bonds). A bonded peer is one advertiser across its RPAs. Scanning is
active (scan requests fetch the scan responses, where names often are)
unless --passive. Runs until SIGINT or SIGTERM, or for --duration seconds.

  --hci T            the controller's transport: hciN, tcp:HOST:PORT, unix:PATH
                     or serial:PATH[@BAUD] (required)
  --duration S       stop after S seconds (a decimal number, as 2.5)
  --passive          passive scanning: nothing sent on the air, so no scan
                     response data
  --bonds PATH       the bond store whose peers' IRKs resolve RPAs (default
                     the file of our identity)
  --address ADDR     scan as ADDR, a static random address (two top bits
                     11): our identity, whose store resolves RPAs
  --privacy          scan from a resolvable private address
  --json             one JSON object per line, as below

In text: a line per new advertiser; a line "changed (WHAT): ..." when one
is heard on a new address (a bonded peer's new RPA), with a new name, or
becomes connectable or not; the count at the end.
With --json:
  device   {"type":"device","address","addressType","rssi","connectable",
           "name","identity","identityType"}: once per new advertiser
           (rssi, name and identity null while unknown)
  changed  the same fields and "changes": what changed, among address,
           name, connectable, and rssi (moved 10 dB or more since printed)
  done     {"type":"done","devices":N,"durationMs":MS}: last
  failed   {"type":"failed","stage","code","message"}: the transport or
           the controller failed or went away (stage transport, controller,
           bonds or scan); the message is on stderr too
Exit status: 0 done (after --duration, SIGINT or SIGTERM), 1 the controller
refused to scan or went away, 2 a usage error or a transport that cannot be
opened.`;

const OPTIONS = {
  hci: { type: 'string' },
  duration: { type: 'string' },
  passive: { type: 'boolean' },
  bonds: { type: 'string' },
  address: { type: 'string' },
  privacy: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

/** Reads --duration: seconds, a positive decimal number; in milliseconds. */
function durationMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : 0;
  if (!(seconds > 0)) throw new UsageError(`--duration ${text}: a positive number of seconds, as 2.5`);
  return Math.round(seconds * 1000);
}

/**
 * Runs the command with its arguments (after `scan`); resolves to the exit
 * status: 0 once stopped by --duration, SIGINT, SIGTERM or `signal`; 1 when
 * the controller refuses to scan or its transport closes; 2 for a usage error
 * or a transport that cannot be opened.
 * @example
 * ```ts
 * process.exitCode = await scanCommand(['--hci', 'hci0', '--duration', '10', '--json'], processIo);
 * ```
 */
export async function scanCommand(argv: string[], io: CommandIo, signal?: AbortSignal): Promise<number> {
  let values: { [K in keyof typeof OPTIONS]?: string | boolean };
  try {
    values = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const duration = durationMs(typeof values.duration === 'string' ? values.duration : undefined);
  const settings = securitySettings(values, 'initiator');
  const json = settings.json;
  const host = await openHost('scan', settings, refuseAll, io);
  if (typeof host === 'number') return host;

  const scanner = new Scanner(host);
  scanner.on('advertiser', (advertiser) =>
    io.out(
      json ? JSON.stringify({ type: 'device', ...advertiserJson(advertiser) }) : advertiserLine(advertiser),
    ),
  );
  scanner.on('change', (advertiser, changes) => {
    if (json) {
      io.out(JSON.stringify({ type: 'changed', ...advertiserJson(advertiser), changes }));
      return;
    }
    const shown = changes.filter((change) => change !== 'rssi');
    if (shown.length > 0) io.out(`changed (${shown.join(', ')}): ${advertiserLine(advertiser)}`);
  });

  let finish!: () => void;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let lost: Error | undefined;
  onTransportLost(host, (error) => {
    lost = error;
    finish();
  });
  process.on('SIGINT', finish);
  process.on('SIGTERM', finish);
  signal?.addEventListener('abort', finish, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const started = Date.now();
  try {
    try {
      await scanner.start({ active: values.passive !== true });
    } catch (error) {
      if (lost) {
        printStageFailure(io, json, 'scan', transportFailure(lost));
        return 1;
      }
      printStageFailure(io, json, 'scan', {
        stage: 'scan',
        code: 'controller',
        message: `the controller did not start scanning: ${(error as Error).message}`,
      });
      return 1;
    }
    if (signal?.aborted) finish();
    if (duration !== undefined) timer = setTimeout(finish, duration);
    await finished;
    if (lost) {
      printStageFailure(io, json, 'scan', transportFailure(lost));
      return 1;
    }
    await scanner.stop().catch(() => undefined);
    const devices = scanner.advertisers.length;
    const elapsed = Date.now() - started;
    io.out(
      json
        ? JSON.stringify({ type: 'done', devices, durationMs: elapsed })
        : `${devices} advertiser${devices === 1 ? '' : 's'} heard in ${(elapsed / 1000).toFixed(1)} s`,
    );
    return 0;
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', finish);
    process.off('SIGTERM', finish);
    signal?.removeEventListener('abort', finish);
    // As pair and serve leave: the controller reset (so it stops scanning) and usable, the host closed.
    await leave(host);
  }
}
