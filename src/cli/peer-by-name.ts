/**
 * `ble-smp pair --name NAME`: the peer found by the name it advertises.
 * @module
 */
import type { Advertiser } from '../host/advertisers.js';
import type { Host } from '../host/host.js';
import { Scanner } from '../host/scanner.js';
import type { DeviceAddress } from '../smp/delegate.js';
import { advertiserJson } from './advertiser-lines.js';
import { type CommandIo, UsageError } from './io.js';
import { onTransportLost, transportFailure, transportLost } from './open-host.js';
import { describeAddress, printStageFailure } from './security-events.js';

/** The usage lines of --name, under --peer's. */
export const NAME_USAGE = `  --name NAME        instead of --peer: connect to the first connectable
                     advertiser heard with this name (its Complete Local
                     Name, or a Shortened one NAME starts with), scanning
                     for up to --timeout-ms; exit 1 when none is heard`;

/**
 * Checks --peer and --name: exactly one of them. Returns the name, or
 * undefined when --peer is given.
 * @example
 * ```ts
 * const name = peerName(stringOption(values, 'peer'), stringOption(values, 'name'));
 * ```
 */
export function peerName(peer: string | undefined, name: string | undefined): string | undefined {
  if (peer !== undefined && name !== undefined) throw new UsageError('--peer and --name: choose one');
  if (name === '') throw new UsageError('--name needs a name');
  if (peer === undefined && name === undefined) {
    throw new UsageError(
      '--peer is required, as in --peer c0:ff:ee:00:00:01/random (or --name NAME: the first advertiser with that name)',
    );
  }
  return name;
}

/**
 * Whether an advertiser goes by `name`: its Complete Local Name is `name`, or
 * its Shortened Local Name is the start of `name`.
 * @example
 * ```ts
 * goesBy({ ...advertiser, name: 'kitchen-spe', nameComplete: false }, 'kitchen-speaker'); // true
 * ```
 */
export function goesBy(advertiser: Advertiser, name: string): boolean {
  const heard = advertiser.name;
  if (heard === undefined || heard === '') return false;
  return advertiser.nameComplete ? heard === name : name.startsWith(heard);
}

/** How {@link advertiserNamed} reports and how long it scans. */
export interface NamedOptions {
  readonly timeoutMs: number;
  readonly json: boolean;
  readonly io: CommandIo;
  /** Stops the scan: the result is undefined, and nothing is printed. */
  readonly signal?: AbortSignal;
}

/**
 * Scans until a connectable advertiser going by `name` is heard; prints it
 * (`found`) and returns its address. When none is heard within the timeout,
 * or the controller does not scan, prints the failure (a line on stderr, and
 * under --json a `failed` object with stage `scan`, code `not-found` or
 * `controller`; stage `transport` when the controller goes away) and
 * returns undefined.
 * @example
 * ```ts
 * const peer = await advertiserNamed(host, 'speaker', { timeoutMs: 10_000, json: false, io });
 * if (!peer) return 1;
 * ```
 */
export async function advertiserNamed(
  host: Host,
  name: string,
  options: NamedOptions,
): Promise<DeviceAddress | undefined> {
  const { io, json, timeoutMs, signal } = options;
  const fail = (code: string, message: string) =>
    printStageFailure(io, json, 'pair', { stage: 'scan', code, message });
  const scanner = new Scanner(host);
  try {
    await scanner.start();
  } catch (error) {
    fail('controller', `the controller did not start scanning: ${(error as Error).message}`);
    return undefined;
  }
  if (!json) io.out(`scanning for ${JSON.stringify(name)}, giving up after ${timeoutMs / 1000} s`);
  // The controller going away ends the search at once, as the failure it is.
  const gone = new AbortController();
  onTransportLost(host, () => gone.abort());
  let found: Advertiser | undefined;
  try {
    found = await scanner.find((a) => a.connectable && goesBy(a, name), {
      timeoutMs,
      signal: signal ? AbortSignal.any([signal, gone.signal]) : gone.signal,
    });
  } finally {
    await scanner.stop().catch(() => undefined);
  }
  if (signal?.aborted) return undefined;
  const lost = transportLost(host);
  if (lost) {
    printStageFailure(io, json, 'pair', transportFailure(lost));
    return undefined;
  }
  if (!found) {
    fail('not-found', `no connectable advertiser named ${JSON.stringify(name)} heard within ${timeoutMs} ms`);
    return undefined;
  }
  const address = describeAddress(found.address);
  io.out(
    json
      ? JSON.stringify({ type: 'found', ...advertiserJson(found) })
      : `found ${JSON.stringify(found.name)}: ${address.address} (${address.type})`,
  );
  return found.address;
}
