/**
 * What `ble-smp pair` and `ble-smp serve` share: the security options, the
 * delegate that answers prompts (scripted, on the terminal, or refusing), the
 * host on a transport, and the events they print.
 * @module
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { toHex } from '../../crypto/bytes.js';
import { HciTraceFormatter } from '../../hci/describe.js';
import type { Bond } from '../../host/bond-store.js';
import { BondStoreError } from '../../host/bond-store-error.js';
import { FileBondStore } from '../../host/file-bond-store.js';
import { Host } from '../../host/host.js';
import type { OwnAddress } from '../../host/host-options.js';
import { parseAddress } from '../../host/parse-address.js';
import { isIdentityAddress } from '../../host/privacy.js';
import { EncryptionError, PairingError } from '../../host/security-errors.js';
import type { SecurityOutcome } from '../../host/security-types.js';
import { IoCapability, KeyDist, REASON_TEXT, Reason } from '../../smp/constants.js';
import { type DeviceAddress, formatAddress, type PairingDelegate } from '../../smp/delegate.js';
import type { PairingPolicy } from '../../smp/policy.js';
import type { DistributedKeys, PairingResult } from '../../smp/session-types.js';
import { BtsnoopWriter } from '../../trace/btsnoop-writer.js';
import { openTransport } from '../../transport/open.js';
import { type Transport, TransportError } from '../../transport/transport.js';
import { type CommandIo, UsageError } from '../io.js';
import { OobFileError, readOobFile, writeOobFile } from '../oob-file.js';
import { tapped } from '../tap.js';

/** The usage text of the shared options. */
export const SECURITY_USAGE = `  --hci T            the controller's transport: hciN, tcp:HOST:PORT, unix:PATH
                     or serial:PATH[@BAUD] (required)
  --io-cap CAP       display-only, display-yes-no, keyboard-only,
                     no-input-no-output (default) or keyboard-display
  --legacy           accept LE legacy pairing (a passive listener can often
                     recover its keys)
  --no-sc            offer LE legacy pairing only, as an older device does
                     (implies --legacy)
  --mitm             refuse pairings that end unauthenticated (Just Works)
  --no-bond          do not ask for bonding
  --min-key-size N   the smallest key size accepted, 7..16 (default 16)
  --keys LIST        the keys we distribute: enc,id,sign, or none (default enc,id)
  --address ADDR     use ADDR, a static random address (two top bits 11), as
                     our address and identity
  --privacy          use resolvable private addresses made from our IRK
                     (renewed every 15 minutes), the public address as identity
  --oob-out FILE     write our LE Secure Connections OOB data (address,
                     random, confirm) to FILE (mode 0600), for the peer
  --oob-in FILE      read the peer's OOB data from FILE (as --oob-out wrote
                     it): the pairing uses OOB and is authenticated
  --passkey N        the passkey to type when asked, and the one to display
                     when this side shows it (0..999999; for scripts: a fixed
                     passkey protects nothing once known)
  --confirm yes|no   the answer to numeric comparison
  --bonds PATH       the bond store file (default one file per local identity
                     in $XDG_STATE_HOME/ble-smp/bonds, else
                     ~/.local/state/ble-smp/bonds)
  --json             one JSON object per line (ready, connected, prompt,
                     paired, encrypted, failed)
  --trace FILE       write every HCI packet to and from the controller to
                     FILE, a btsnoop capture (H4) that Wireshark reads
  --btmon            print every HCI packet as btmon does (keys hidden), on
                     stdout, or on stderr with --json
  --log-keys         show keys in the --btmon lines (key logging: secrets in
                     your logs)
Without --passkey or --confirm, a question is asked on the terminal when
stdin is one, and refused otherwise. Exit status: 0 paired or encrypted with
a bond, 1 pairing or encryption failed, 2 a usage error or a transport that
cannot be opened.`;

const IO_CAPS: Readonly<Record<string, IoCapability>> = {
  'display-only': IoCapability.DisplayOnly,
  'display-yes-no': IoCapability.DisplayYesNo,
  'keyboard-only': IoCapability.KeyboardOnly,
  'no-input-no-output': IoCapability.NoInputNoOutput,
  'keyboard-display': IoCapability.KeyboardDisplay,
};

const KEY_BITS: Readonly<Record<string, number>> = {
  enc: KeyDist.EncKey,
  id: KeyDist.IdKey,
  sign: KeyDist.SignKey,
};

/** The option definitions of both commands, for `parseArgs`. */
export const SECURITY_OPTIONS = {
  hci: { type: 'string' },
  'io-cap': { type: 'string' },
  legacy: { type: 'boolean' },
  'no-sc': { type: 'boolean' },
  mitm: { type: 'boolean' },
  'no-bond': { type: 'boolean' },
  'min-key-size': { type: 'string' },
  keys: { type: 'string' },
  passkey: { type: 'string' },
  confirm: { type: 'string' },
  address: { type: 'string' },
  privacy: { type: 'boolean' },
  bonds: { type: 'string' },
  'oob-out': { type: 'string' },
  'oob-in': { type: 'string' },
  json: { type: 'boolean' },
  trace: { type: 'string' },
  btmon: { type: 'boolean' },
  'log-keys': { type: 'boolean' },
} as const;

/** Asks a person one question; resolves to the line typed. */
export type Ask = (question: string) => Promise<string>;

/** Extras for tests: who answers questions when no answer is scripted. */
export interface PromptOptions {
  /** Asks a person (default: the terminal when stdin is a TTY, else nobody: questions are refused). */
  readonly ask?: Ask;
}

/** The shared options, checked. */
export interface SecuritySettings {
  readonly hci: string;
  readonly policy: Partial<PairingPolicy>;
  readonly passkey: number | undefined;
  readonly confirm: boolean | undefined;
  readonly json: boolean;
  /** --trace: the btsnoop file to write, if any. */
  readonly trace: string | undefined;
  /** --btmon: print btmon-style lines for every HCI packet. */
  readonly btmon: boolean;
  /** --log-keys: key material in the --btmon lines. */
  readonly logKeys: boolean;
  /** --address / --privacy: the address we use on the air. */
  readonly ownAddress: OwnAddress;
  /** --bonds: the bond store file (default: the per-user file of our identity). */
  readonly bonds: string | undefined;
  /** --oob-out / --oob-in: files of SC OOB data, ours to write and the peer's to read. */
  readonly oobOut: string | undefined;
  readonly oobIn: string | undefined;
}

/** Parsed options by name: a string, true for a flag given, or undefined. */
export type ParsedOptions = { readonly [name: string]: string | boolean | undefined };

/** A string option's value (undefined when absent). */
export const stringOption = (values: ParsedOptions, name: string): string | undefined => {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
};

/** Parses argv with the shared options and `extra`; a mistake throws a UsageError. */
export function parseCommandArgs(
  argv: string[],
  extra: Readonly<Record<string, { readonly type: 'string' | 'boolean' }>>,
): ParsedOptions {
  try {
    return parseArgs({
      args: argv,
      options: { ...SECURITY_OPTIONS, ...extra },
      strict: true,
      allowPositionals: false,
    }).values as ParsedOptions;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Checks the shared options; `role` says which side's keys --keys sets. */
export function securitySettings(parsed: ParsedOptions, role: 'initiator' | 'responder'): SecuritySettings {
  const values = {
    hci: stringOption(parsed, 'hci'),
    'io-cap': stringOption(parsed, 'io-cap'),
    legacy: parsed.legacy === true,
    noSc: parsed['no-sc'] === true,
    mitm: parsed.mitm === true,
    'no-bond': parsed['no-bond'] === true,
    'min-key-size': stringOption(parsed, 'min-key-size'),
    keys: stringOption(parsed, 'keys'),
    passkey: stringOption(parsed, 'passkey'),
    confirm: stringOption(parsed, 'confirm'),
    json: parsed.json === true,
    trace: stringOption(parsed, 'trace'),
    btmon: parsed.btmon === true,
    logKeys: parsed['log-keys'] === true,
    address: stringOption(parsed, 'address'),
    privacy: parsed.privacy === true,
    bonds: stringOption(parsed, 'bonds'),
    oobOut: stringOption(parsed, 'oob-out'),
    oobIn: stringOption(parsed, 'oob-in'),
  };
  if (values.hci === undefined || values.hci === '') {
    throw new UsageError('--hci is required, as in --hci tcp:127.0.0.1:9000 or --hci hci0');
  }
  const policy: { -readonly [K in keyof PairingPolicy]?: PairingPolicy[K] } = {};
  const cap = values['io-cap'] ?? 'no-input-no-output';
  const ioCapability = IO_CAPS[cap];
  if (ioCapability === undefined) {
    throw new UsageError(`--io-cap ${JSON.stringify(cap)}: choose ${Object.keys(IO_CAPS).join(', ')}`);
  }
  policy.ioCapability = ioCapability;
  if (values.legacy || values.noSc) policy.allowLegacy = true;
  if (values.noSc) policy.secureConnections = false;
  if (values.mitm) policy.requireMitm = true;
  if (values['no-bond']) policy.bonding = false;
  if (values['min-key-size'] !== undefined) {
    const text = values['min-key-size'];
    const size = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!(size >= 7 && size <= 16)) throw new UsageError(`--min-key-size ${text}: an integer from 7 to 16`);
    policy.minKeySize = size;
  }
  if (values.keys !== undefined) {
    let mask = 0;
    if (values.keys !== 'none' && values.keys !== '') {
      for (const name of values.keys.split(',')) {
        const bit = KEY_BITS[name.trim()];
        if (bit === undefined) {
          throw new UsageError(`--keys ${JSON.stringify(values.keys)}: a list of enc, id, sign, or none`);
        }
        mask |= bit;
      }
    }
    if (role === 'initiator') policy.initiatorKeys = mask;
    else policy.responderKeys = mask;
  }
  if (values.trace === '') throw new UsageError('--trace needs a file name');
  let passkey: number | undefined;
  if (values.passkey !== undefined) {
    const text = values.passkey;
    passkey = /^\d{1,6}$/.test(text) ? Number(text) : Number.NaN;
    if (Number.isNaN(passkey)) throw new UsageError(`--passkey ${text}: a number from 0 to 999999`);
  }
  let confirm: boolean | undefined;
  if (values.confirm !== undefined) {
    if (values.confirm !== 'yes' && values.confirm !== 'no') {
      throw new UsageError(`--confirm ${JSON.stringify(values.confirm)}: yes or no`);
    }
    confirm = values.confirm === 'yes';
  }
  let ownAddress: OwnAddress = { kind: 'public' };
  if (values.address !== undefined && values.privacy) {
    throw new UsageError('--address and --privacy: choose one');
  }
  if (values.privacy) ownAddress = { kind: 'resolvable' };
  if (values.address !== undefined) {
    let address: Uint8Array;
    try {
      address = parseAddress(values.address);
    } catch (error) {
      throw new UsageError(`--address: ${(error as Error).message}`);
    }
    if (!isIdentityAddress({ address, type: 1 })) {
      throw new UsageError(
        `--address ${values.address}: not a static random address (its first two bits must be 11, as in c0:..:..)`,
      );
    }
    ownAddress = { kind: 'static', address };
  }
  if (values.bonds === '') throw new UsageError('--bonds needs a file name');
  return {
    hci: values.hci,
    bonds: values.bonds,
    oobOut: values.oobOut,
    oobIn: values.oobIn,
    ownAddress,
    policy,
    passkey,
    confirm,
    json: values.json === true,
    trace: values.trace,
    btmon: values.btmon,
    logKeys: values.logKeys,
  };
}

/** Prints events: one JSON object per line, or one human line. */
export type Printer = (event: Record<string, unknown>, human: string) => void;

/** A printer on `io`. */
export function printer(io: CommandIo, json: boolean): Printer {
  return (event, human) => io.out(json ? JSON.stringify(event) : human);
}

/** The terminal asker when stdin is a TTY (questions go to stderr), else undefined. */
export function terminalAsk(): Ask | undefined {
  if (!process.stdin.isTTY) return undefined;
  return (question) =>
    new Promise<string>((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      rl.question(question, (answer) => {
        rl.close();
        resolve(answer);
      });
    });
}

const pad6 = (value: number) => String(value).padStart(6, '0');

/**
 * The delegate: scripted answers first, then the asker, else a refusal. Every
 * prompt is printed (`prompt` events). Pairing attempts and Just Works are accepted.
 */
export function cliDelegate(
  settings: SecuritySettings,
  print: Printer,
  ask: Ask | undefined,
): PairingDelegate {
  return {
    acceptPairing: () => true,
    confirmJustWorks: () => true,
    confirmNumber: async (_peer: DeviceAddress, value: number) => {
      print({ type: 'prompt', kind: 'confirm-number', value }, `prompt: confirm the number ${pad6(value)}`);
      if (settings.confirm !== undefined) return settings.confirm;
      if (!ask) return false;
      const answer = await ask(`Does the peer show ${pad6(value)}? [y/N] `);
      return /^y(es)?$/i.test(answer.trim());
    },
    displayPasskey: (_peer: DeviceAddress, passkey: number) => {
      print(
        { type: 'prompt', kind: 'display-passkey', value: passkey },
        `prompt: type ${pad6(passkey)} on the peer`,
      );
    },
    enterPasskey: async () => {
      print({ type: 'prompt', kind: 'enter-passkey' }, 'prompt: enter the passkey the peer shows');
      if (settings.passkey !== undefined) return settings.passkey;
      if (!ask) return null;
      const answer = (await ask('Passkey shown on the peer (empty to cancel): ')).trim();
      return /^\d{1,6}$/.test(answer) ? Number(answer) : null;
    },
    oobData: () => null,
  };
}

/**
 * Opens the transport and a host on it, observed as --trace (a btsnoop file)
 * and --btmon (btmon-style lines: on stdout, or stderr with --json) ask. A
 * trace file or transport that cannot be opened, or a controller that does
 * not come up, is reported on stderr and gives the exit status 2 instead of a host.
 */
export async function openHost(
  command: string,
  settings: SecuritySettings,
  delegate: PairingDelegate,
  io: CommandIo,
): Promise<Host | number> {
  let writer: BtsnoopWriter | undefined;
  if (settings.trace !== undefined) {
    try {
      writer = new BtsnoopWriter(settings.trace);
    } catch (error) {
      io.err(`ble-smp ${command}: cannot write the trace ${settings.trace}: ${(error as Error).message}`);
      return 2;
    }
  }
  let transport: Transport;
  try {
    transport = await openTransport(settings.hci);
  } catch (error) {
    await writer?.close();
    if (!(error instanceof TransportError)) throw error;
    io.err(`ble-smp ${command}: ${error.message}`);
    return 2;
  }
  if (writer || settings.btmon) {
    const formatter = settings.btmon ? new HciTraceFormatter({ showKeys: settings.logKeys }) : undefined;
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
  try {
    host = await Host.open(transport, {
      policy: settings.policy,
      delegate,
      ownAddress: settings.ownAddress,
      ...(settings.passkey !== undefined ? { fixedPasskey: settings.passkey } : {}),
      bondStore: (local) =>
        FileBondStore.open({ local, ...(settings.bonds ? { path: settings.bonds } : {}) }),
    });
  } catch (error) {
    await transport.close().catch(() => undefined);
    if (error instanceof BondStoreError) {
      io.err(`ble-smp ${command}: ${error.message}`);
      return 2;
    }
    io.err(
      `ble-smp ${command}: the controller on ${settings.hci} did not come up: ${(error as Error).message}`,
    );
    return 2;
  }
  try {
    if (settings.oobIn !== undefined) host.security.addPeerOobData(readOobFile(settings.oobIn));
    if (settings.oobOut !== undefined) writeOobFile(settings.oobOut, host.localOobData());
  } catch (error) {
    await host.close();
    if (!(error instanceof OobFileError)) throw error;
    io.err(`ble-smp ${command}: ${error.message}`);
    return 2;
  }
  return host;
}

const addressType = (type: 0 | 1) => (type === 0 ? 'public' : 'random');

/** A device address for printing: `aa:bb:cc:dd:ee:ff` and public or random. */
export function describeAddress(address: DeviceAddress): { address: string; type: 'public' | 'random' } {
  return { address: formatAddress(address.address), type: addressType(address.type) };
}

/** Keys as JSON: byte strings in wire-order hex. */
export function keysJson(keys: DistributedKeys): Record<string, unknown> {
  return {
    ...(keys.ltk ? { ltk: toHex(keys.ltk) } : {}),
    ...(keys.ediv !== undefined ? { ediv: keys.ediv } : {}),
    ...(keys.rand ? { rand: toHex(keys.rand) } : {}),
    ...(keys.irk ? { irk: toHex(keys.irk) } : {}),
    ...(keys.identityAddress ? { identityAddress: describeAddress(keys.identityAddress) } : {}),
    ...(keys.csrk ? { csrk: toHex(keys.csrk) } : {}),
  };
}

const keyNames = (keys: DistributedKeys) =>
  (['ltk', 'ediv', 'rand', 'irk', 'identityAddress', 'csrk'] as const)
    .filter((k) => keys[k] !== undefined)
    .join(' ') || 'none';

/** Prints a completed pairing. */
export function printPaired(print: Printer, result: PairingResult): void {
  print(
    {
      type: 'paired',
      method: result.secureConnections ? 'sc' : 'legacy',
      model: result.model,
      keySize: result.keySize,
      authenticated: result.authenticated,
      bonded: result.bonded,
      distributed: keysJson(result.localKeys),
      received: keysJson(result.peerKeys),
    },
    `paired: ${result.secureConnections ? 'LE Secure Connections' : 'LE legacy'} ${result.model}, ` +
      `key size ${result.keySize}, ${result.authenticated ? 'authenticated' : 'unauthenticated'}, ` +
      `${result.bonded ? 'bonded' : 'not bonded'}; distributed: ${keyNames(result.localKeys)}; ` +
      `received: ${keyNames(result.peerKeys)}`,
  );
}

const REASON_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(Reason).map(([name, code]) => [
    code,
    name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase(),
  ]),
);

/** The kebab-case name of an SMP reason code, as `numeric-comparison-failed`. */
export function reasonName(reason: number): string {
  return REASON_NAMES[reason] ?? 'reserved';
}

/** Prints a link encrypted with a kept bond (keys are not printed: they are in the bond store). */
export function printEncrypted(print: Printer, bond: Bond): void {
  const peer = describeAddress(bond.peer);
  print(
    {
      type: 'encrypted',
      bonded: true,
      method: bond.secureConnections ? 'sc' : 'legacy',
      keySize: bond.keySize,
      authenticated: bond.authenticated,
      identity: peer.address,
      identityType: peer.type,
      bondedAt: new Date(bond.createdAt).toISOString(),
    },
    `encrypted with the bond of ${peer.address} (${peer.type}) made ${new Date(bond.createdAt).toISOString()}: ` +
      `${bond.secureConnections ? 'LE Secure Connections' : 'LE legacy'}, key size ${bond.keySize}, ` +
      `${bond.authenticated ? 'authenticated' : 'unauthenticated'}`,
  );
}

/** Prints how a link was secured: `paired` or `encrypted`. */
export function printSecured(print: Printer, outcome: SecurityOutcome): void {
  if (outcome.kind === 'paired') printPaired(print, outcome.result);
  else printEncrypted(print, outcome.bond);
}

/**
 * Prints a failed pairing or encryption; rethrows anything else (the
 * command's caller reports it).
 */
export function printFailed(print: Printer, error: unknown): void {
  if (error instanceof EncryptionError) {
    print(
      {
        type: 'failed',
        stage: 'encryption',
        code: error.code,
        ...(error.status !== undefined ? { status: error.status } : {}),
        message: error.message,
      },
      `failed: encryption with the bond: ${error.message}` +
        (error.code === 'key-missing' ? ' (the peer lost its bond: --force-pair pairs again)' : ''),
    );
    return;
  }
  if (!(error instanceof PairingError)) throw error;
  print(
    {
      type: 'failed',
      reason: error.reason,
      reasonName: reasonName(error.reason),
      by: error.by,
      message: error.message,
    },
    `failed: 0x${error.reason.toString(16).padStart(2, '0')} ${REASON_TEXT[error.reason] ?? reasonName(error.reason)} ` +
      `(${error.by === 'local' ? 'we failed it' : 'the peer failed it'}): ${error.message}`,
  );
}
