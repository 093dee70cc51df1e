/**
 * The security options `ble-smp pair` and `ble-smp serve` share: their usage
 * text, their parsing, and the settings they make. The rest of what the two
 * share: cli-delegate.ts (prompts), open-host.ts (the host on a transport) and
 * security-events.ts (the events they print).
 * @module
 */
import { parseArgs } from 'node:util';
import type { OwnAddress } from '../../host/host-options.js';
import { parseAddress } from '../../host/parse-address.js';
import { isIdentityAddress } from '../../host/privacy.js';
import { IoCapability, KeyDist } from '../../smp/constants.js';
import type { PairingPolicy } from '../../smp/policy.js';
import { TRANSPORT_FORMS } from '../../transport/parse.js';
import { UsageError } from '../io.js';

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
  --json             one JSON object per line on stdout, every outcome
                     included (the events are listed above)
  --show-keys        print the keys of a pairing (secrets: hidden by
                     default): the SC LTK or the legacy STK, the LTKs, IRKs
                     and CSRKs, in wire-order hex, named as bonds show
                     --show-keys names them
  --trace FILE       write every HCI packet to and from the controller to
                     FILE, a btsnoop capture (H4) that Wireshark reads; it
                     holds keys (LE Start Encryption carries the STK or LTK,
                     key distribution the IRK and CSRK): created mode 0600
  --btmon            print every HCI packet in btmon's format (keys redacted
                     as xx), on stdout, or on stderr with --json; ble-smp
                     audit reads it back
  --log-keys         show keys in the --btmon lines (key logging: secrets in
                     your logs)
Without --passkey or --confirm, a question is asked on the terminal when
stdin is one; otherwise the pairing fails saying no one could be asked and
which option to pass. Ctrl-C (SIGINT) or SIGTERM at any point fails a
pairing under way (Pairing Failed: 0x0C at numeric comparison, 0x01 at
passkey entry, else 0x08), disconnects, resets the controller and closes the
trace; a second Ctrl-C exits at once. Exit status: 0 paired or encrypted with
a bond, 1 pairing or encryption failed, 2 a usage error or a transport that
cannot be opened, 130 after SIGINT, 143 after SIGTERM.`;

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
  'show-keys': { type: 'boolean' },
  trace: { type: 'string' },
  btmon: { type: 'boolean' },
  'log-keys': { type: 'boolean' },
} as const;

/** The shared options, checked. */
export interface SecuritySettings {
  readonly hci: string;
  readonly policy: Partial<PairingPolicy>;
  readonly passkey: number | undefined;
  readonly confirm: boolean | undefined;
  readonly json: boolean;
  /** --show-keys: the keys of a pairing in the `paired` event. */
  readonly showKeys: boolean;
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
    throw new UsageError(`--hci is required, one of:\n  ${TRANSPORT_FORMS.join('\n  ')}`);
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
    showKeys: parsed['show-keys'] === true,
    trace: values.trace,
    btmon: values.btmon,
    logKeys: values.logKeys,
  };
}
