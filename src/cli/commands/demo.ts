/**
 * `ble-smp demo`: two hosts on virtual controllers sharing one air pair in
 * every model the host supports, through the whole stack (HCI, ACL, L2CAP,
 * SMP), with no Bluetooth hardware. Prints a btmon-style trace of one pairing
 * and a summary table.
 * @module
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { HciPacket } from '../../hci/h4.js';
import type { Connection } from '../../host/connection.js';
import { Host } from '../../host/host.js';
import { IoCapability } from '../../smp/constants.js';
import { fixedAnswers, type PairingDelegate } from '../../smp/delegate.js';
import type { PairingPolicy } from '../../smp/policy.js';
import type { DistributedKeys, PairingResult } from '../../smp/session-types.js';
import { BtmonWriter } from '../../trace/btmon-writer.js';
import { VirtualAir } from '../../transport/virtual/air.js';
import type { ControllerProfile } from '../../transport/virtual/profiles/profile.js';
import { type CommandIo, UsageError } from '../io.js';
import { PROFILE_OPTION_USAGE, profileOption } from '../profile-option.js';
import { formatTable } from '../table.js';
import { tapped } from '../tap.js';

export const DEMO_USAGE = `Usage: ble-smp demo [--json] [--trace MODEL] [--show-keys] [--profile NAME]

Two hosts on virtual controllers pair in every model through the whole stack
(HCI, ACL, L2CAP, SMP), with no Bluetooth hardware, and print a btmon-style
trace of one pairing and a summary table. Exits 1 if any pairing fails.

  --trace MODEL  which pairing to trace (default sc-numeric-comparison; none: no trace)
  --show-keys    print key material in the trace (keys are secrets: hidden by default)
  --json         one JSON object per pairing instead of the table
${PROFILE_OPTION_USAGE.replace('play a real controller', 'both virtual controllers play a real one')}`;

/** One demonstration: both sides' policies, named. */
interface DemoModel {
  readonly id: string;
  readonly central: Partial<PairingPolicy>;
  readonly peripheral: Partial<PairingPolicy>;
  /** Both sides exchange LE Secure Connections OOB data before connecting. */
  readonly oob?: boolean;
}

const LEGACY = { allowLegacy: true, secureConnections: false };
/** The models the demo shows. */
export const DEMO_MODELS: readonly DemoModel[] = [
  {
    id: 'legacy-just-works',
    central: { ...LEGACY, ioCapability: IoCapability.NoInputNoOutput },
    peripheral: { allowLegacy: true },
  },
  {
    id: 'legacy-passkey',
    central: { ...LEGACY, ioCapability: IoCapability.KeyboardOnly },
    peripheral: { allowLegacy: true, ioCapability: IoCapability.DisplayOnly },
  },
  { id: 'sc-just-works', central: { ioCapability: IoCapability.NoInputNoOutput }, peripheral: {} },
  {
    id: 'sc-numeric-comparison',
    central: { ioCapability: IoCapability.DisplayYesNo },
    peripheral: { ioCapability: IoCapability.KeyboardDisplay },
  },
  {
    id: 'sc-passkey',
    central: { ioCapability: IoCapability.KeyboardOnly },
    peripheral: { ioCapability: IoCapability.DisplayOnly },
  },
  {
    // No input, no output: Just Works without OOB; the OOB data exchanged beforehand authenticates it.
    id: 'sc-oob',
    central: { ioCapability: IoCapability.NoInputNoOutput },
    peripheral: { ioCapability: IoCapability.NoInputNoOutput },
    oob: true,
  },
];

const PERIPHERAL_ADDRESS = Uint8Array.of(0x01, 0x02, 0x03, 0x04, 0x05, 0xc6);

/** Two people who can see each other's screens: one types what the other shows; both confirm numbers. */
function people(): { central: PairingDelegate; peripheral: PairingDelegate } {
  let show!: (passkey: number) => void;
  const shown = new Promise<number>((resolve) => {
    show = resolve;
  });
  const person = (): PairingDelegate => ({
    ...fixedAnswers({ confirmNumber: true }),
    displayPasskey: (_peer, passkey) => show(passkey),
    enterPasskey: () => shown,
  });
  return { central: person(), peripheral: person() };
}

/** The outcome of one demonstration pairing. */
export interface DemoOutcome {
  readonly id: string;
  readonly result?: PairingResult;
  readonly error?: string;
  readonly milliseconds: number;
}

/**
 * Runs one demonstration pairing: central and peripheral hosts on a fresh air.
 * `record` sees every HCI packet of the central (for a btsnoop capture).
 * @example
 * ```ts
 * const outcome = await runDemoPairing(DEMO_MODELS[3]!, (line) => console.log(line));
 * ```
 */
export async function runDemoPairing(
  model: DemoModel,
  trace?: (line: string) => void,
  showKeys = false,
  record?: (direction: 'tx' | 'rx', packet: HciPacket) => void,
  profile?: ControllerProfile,
): Promise<DemoOutcome> {
  const air = new VirtualAir();
  const users = people();
  const formatter = new BtmonWriter({ showKeys });
  const centralTransport = air.createController(profile ? { profile } : {});
  const transport =
    trace || record
      ? tapped(centralTransport, (direction, packet) => {
          record?.(direction, packet);
          if (trace) for (const line of formatter.lines(direction, packet)) trace(line);
        })
      : centralTransport;
  const central = await Host.open(transport, { policy: model.central, delegate: users.central });
  const peripheral = await Host.open(
    air.createController({ address: PERIPHERAL_ADDRESS, ...(profile ? { profile } : {}) }),
    {
      policy: model.peripheral,
      delegate: users.peripheral,
    },
  );
  if (model.oob) {
    // Out of band (NFC, a QR code...): each side hands the other its address, random and confirm.
    peripheral.security.addPeerOobData(central.localOobData());
    central.security.addPeerOobData(peripheral.localOobData());
  }
  const started = performance.now();
  try {
    const incoming = new Promise<Connection>((resolve) => peripheral.once('connection', resolve));
    await peripheral.startAdvertising();
    const connection = await central.connect(PERIPHERAL_ADDRESS, 0, { timeoutMs: 2000 });
    await incoming;
    const result = await connection.pair();
    return { id: model.id, result, milliseconds: performance.now() - started };
  } catch (error) {
    return { id: model.id, error: (error as Error).message, milliseconds: performance.now() - started };
  } finally {
    await Promise.allSettled([central.close(), peripheral.close()]);
  }
}

const KEY_NAMES: ReadonlyArray<[keyof DistributedKeys, string]> = [
  ['ltk', 'LTK'],
  ['rand', 'EDIV/Rand'],
  ['irk', 'IRK'],
  ['identityAddress', 'address'],
  ['csrk', 'CSRK'],
];
const keyList = (keys: DistributedKeys) =>
  KEY_NAMES.filter(([field]) => keys[field] !== undefined)
    .map(([, name]) => name)
    .join(' ') || '-';

/**
 * Runs the command with its arguments (after `demo`); resolves to the exit status.
 * @example
 * ```ts
 * process.exitCode = await demoCommand([], processIo);
 * ```
 */
export async function demoCommand(argv: string[], io: CommandIo): Promise<number> {
  let values: { json?: boolean; trace?: string; 'show-keys'?: boolean; profile?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        json: { type: 'boolean' },
        trace: { type: 'string' },
        'show-keys': { type: 'boolean' },
        profile: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const traced = values.trace ?? 'sc-numeric-comparison';
  if (traced !== 'none' && !DEMO_MODELS.some((m) => m.id === traced)) {
    throw new UsageError(
      `unknown model '${traced}' (choose ${DEMO_MODELS.map((m) => m.id).join(', ')} or none)`,
    );
  }
  const profile = profileOption(values.profile);
  const outcomes: DemoOutcome[] = [];
  for (const model of DEMO_MODELS) {
    const traceLines: string[] = [];
    const outcome = await runDemoPairing(
      model,
      model.id === traced && !values.json ? (line) => traceLines.push(line) : undefined,
      values['show-keys'] === true,
      undefined,
      profile,
    );
    outcomes.push(outcome);
    if (traceLines.length > 0) {
      io.out(
        `Trace of ${model.id} (the central's HCI, btmon style${values['show-keys'] ? '' : ', keys hidden'}):\n`,
      );
      io.out(traceLines.join('\n'));
      io.out('');
    }
  }
  if (values.json) {
    for (const o of outcomes) {
      const r = o.result;
      io.out(
        JSON.stringify(
          r
            ? {
                type: 'paired',
                id: o.id,
                method: r.secureConnections ? 'sc' : 'legacy',
                model: r.model,
                keySize: r.keySize,
                authenticated: r.authenticated,
                bonded: r.bonded,
                centralDistributed: keyList(r.localKeys),
                peripheralDistributed: keyList(r.peerKeys),
                milliseconds: Math.round(o.milliseconds * 10) / 10,
              }
            : { type: 'failed', id: o.id, message: o.error },
        ),
      );
    }
  } else {
    const rows = outcomes.map((o) => {
      const r = o.result;
      if (!r) return [o.id, 'FAILED', o.error ?? '', '', '', '', '', ''];
      return [
        o.id,
        r.secureConnections ? 'LE Secure Connections' : 'LE legacy',
        r.model,
        String(r.keySize),
        r.authenticated ? 'yes' : 'no',
        keyList(r.localKeys),
        keyList(r.peerKeys),
        o.milliseconds.toFixed(1),
      ];
    });
    io.out(
      formatTable(
        ['pairing', 'method', 'model', 'key size', 'authenticated', 'central sent', 'peripheral sent', 'ms'],
        rows,
        { right: [3, 7] },
      ),
    );
  }
  return outcomes.every((o) => o.result) ? 0 : 1;
}
