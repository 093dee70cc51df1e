// A small reader of controller start-up text (btmon, hcidump, hciconfig, a
// Zephyr host log, H4 hex dumps, btmon's Intel Read Version decoding, Zephyr Kconfig), used
// to re-derive a profile's values from its fixture. Each recognised line fills
// one field; the first value found wins.
import { readFileSync } from 'node:fs';
import { commandsBitmapFromHex } from '../../../src/hci/supported-commands.js';

export interface Parsed {
  hciVersion?: number;
  hciRevision?: number;
  lmpVersion?: number;
  lmpSubversion?: number;
  manufacturer?: number;
  acl?: { size: number; count: number };
  le?: { size: number; count: number };
  leFeatures?: Uint8Array;
  /** LE Read Supported States, 8 octets little-endian. */
  leStates?: Uint8Array;
  acceptListSize?: number;
  resolvingListSize?: number;
  /** LE Read Maximum Data Length: the largest payloads, in octets. */
  maxData?: { tx: number; rx: number };
  /** Names listed under Read Local Supported Commands, with their (octet, bit). */
  commands?: { name: string; octet: number; bit: number }[];
  /** Kconfig: the first plain `default` of each `config NAME`. */
  kconfig: Map<string, string>;
  /** A sample's prj.conf: `CONFIG_NAME=VALUE`. */
  prjConf: Map<string, string>;
  /** Quoted source lines ("# source:" headers and "# format:" lines removed). */
  lines: string[];
}

const hex = (s: string): number => Number.parseInt(s, 16);

// An H4 hex dump's event: "// > 04 0E 07 01 02 20 00 ..." (a packet type octet 04 first) or
// "EVT <=  0E 07 01 02 20 00 ..." (no packet type). An indented "//   0F E8 ..." line continues it.
const HEX_EVENT = /(?:^\/\/ > 04|EVT <=)\s+((?:[0-9A-Fa-f]{2}\s*)+)$/;
const HEX_CONTINUATION = /^\/\/\s+((?:[0-9A-Fa-f]{2}\s*)+)$/;
const octets = (s: string): number[] => s.trim().split(/\s+/).map(hex);
/** "df4901" -> "df 49 01". */
const pairs = (s: string): string => s.replace(/(..)(?!$)/g, '$1 ');

export function parseStartup(text: string): Parsed {
  const out: Parsed = { kconfig: new Map(), prjConf: new Map(), lines: [] };
  const set = <K extends keyof Parsed>(key: K, value: Parsed[K]): void => {
    if (out[key] === undefined) out[key] = value;
  };
  let section = '';
  let bumbleCommand = '';
  let lineNo = 0;
  let hcidumpCommands: { octets: string; line: number } | undefined;
  // The first Supported Commands answer given as octets (hex dumps, hcidump): its set bits, unnamed.
  const commandsFrom = (bitmap: Uint8Array): void => {
    if (out.commands !== undefined) return;
    out.commands = [];
    for (let octet = 0; octet < bitmap.length; octet++)
      for (let bit = 0; bit < 8; bit++)
        if ((bitmap[octet]! >> bit) & 1) out.commands.push({ name: '', octet, bit });
  };
  const commandsFromHcidump = (): void => {
    const { octets } = hcidumpCommands!;
    hcidumpCommands = undefined;
    commandsFrom(commandsBitmapFromHex(octets));
  };
  let config = '';
  const le = { size: -1, count: -1 };
  const maxData = { tx: -1, rx: -1 };
  // Each rule: a pattern, and what its match fills in. Rules see the trimmed line.
  const rules: [RegExp, (m: RegExpExecArray) => void][] = [
    // Which command's answer the following lines belong to.
    [
      /^(?:[<>] HCI (?:Command|Event): )?([A-Z][A-Za-z ]+?) \(0x[0-9a-f]{2}\|0x[0-9a-f]{4}\)/,
      (m) => (section = m[1]!),
    ],
    // btmon: "HCI version: Bluetooth 4.0 (0x06) - Revision 1801 (0x0709)"
    [
      /^HCI version: .*\((0x[0-9a-f]+)\) - Revision \d+ \((0x[0-9a-f]+)\)/,
      (m) => {
        set('hciVersion', hex(m[1]!));
        set('hciRevision', hex(m[2]!));
      },
    ],
    [
      /^LMP version: .*\((0x[0-9a-f]+)\) - Subversion \d+ \((0x[0-9a-f]+)\)/,
      (m) => {
        set('lmpVersion', hex(m[1]!));
        set('lmpSubversion', hex(m[2]!));
      },
    ],
    // hcidump: "HCI Version: 4.1 (0x7) HCI Revision: 0xb6"; hciconfig: "HCI Version: 5.0 (0x9)  Revision: 0x17e"
    [
      /^HCI Version: [\d.]* ?\((0x[0-9a-f]+)\)\s+(?:HCI )?Revision: (0x[0-9a-f]+)/,
      (m) => {
        set('hciVersion', hex(m[1]!));
        set('hciRevision', hex(m[2]!));
      },
    ],
    [
      /^LMP Version: [\d.]* ?\((0x[0-9a-f]+)\)\s+(?:LMP )?Subversion: (0x[0-9a-f]+)/,
      (m) => {
        set('lmpVersion', hex(m[1]!));
        set('lmpSubversion', hex(m[2]!));
      },
    ],
    // Zephyr host log: "HCI: version 4.0 (0x06) revision 0x22bb, manufacturer 0x000a"
    [
      /HCI: version [\d.]+ \((0x[0-9a-f]+)\) revision (0x[0-9a-f]+), manufacturer (0x[0-9a-f]+)/,
      (m) => {
        set('hciVersion', hex(m[1]!));
        set('hciRevision', hex(m[2]!));
        set('manufacturer', hex(m[3]!));
      },
    ],
    [
      /LMP: version [\d.]+ \((0x[0-9a-f]+)\) subver (0x[0-9a-f]+)/,
      (m) => {
        set('lmpVersion', hex(m[1]!));
        set('lmpSubversion', hex(m[2]!));
      },
    ],
    // Linux btrtl: "Bluetooth: hci0: RTL: examining hci_ver=0a hci_rev=000b lmp_ver=0a lmp_subver=8761"
    [
      /RTL: examining hci_ver=([0-9a-f]+) hci_rev=([0-9a-f]+) lmp_ver=([0-9a-f]+) lmp_subver=([0-9a-f]+)/,
      (m) => {
        set('hciVersion', hex(`0x${m[1]!}`));
        set('hciRevision', hex(`0x${m[2]!}`));
        set('lmpVersion', hex(`0x${m[3]!}`));
        set('lmpSubversion', hex(`0x${m[4]!}`));
      },
    ],
    // btmon's decoding of the Intel Read Version vendor command
    [/^HCI Revision\(37\): (0x[0-9a-f]+)/, (m) => set('hciRevision', hex(m[1]!))],
    [/^LMP SubVersion\(38\): (0x[0-9a-f]+)/, (m) => set('lmpSubversion', hex(m[1]!))],
    // "Manufacturer: Cypress Semiconductor (305)", "Manufacturer(36): Intel Corp. (2)"
    [/^Manufacturer(?:\(\d+\))?: .*\((\d+)\)$/, (m) => set('manufacturer', Number(m[1]))],
    // ACL: hcidump "ACL MTU 1021:8", hciconfig "ACL MTU: 1021:8", btmon "ACL MTU: 310  ACL max packet: 10"
    [/ACL MTU:? (\d+):(\d+)/, (m) => set('acl', { size: Number(m[1]), count: Number(m[2]) })],
    [
      /ACL MTU: (\d+)\s+ACL max packet: (\d+)/,
      (m) => set('acl', { size: Number(m[1]), count: Number(m[2]) }),
    ],
    [
      /^Features:((?: 0x[0-9a-f]{2}){8})$/,
      (m) => {
        if (section === 'LE Read Local Supported Features') {
          set('leFeatures', Uint8Array.from(m[1]!.trim().split(' ').map(hex)));
        }
      },
    ],
    [
      /^Data packet length: (\d+)/,
      (m) => {
        if (section === 'LE Read Buffer Size') le.size = Number(m[1]);
      },
    ],
    [
      /^Num data packets: (\d+)/,
      (m) => {
        if (section === 'LE Read Buffer Size') le.count = Number(m[1]);
      },
    ],
    [/^Max TX octets: (\d+)/, (m) => (maxData.tx = Number(m[1]))],
    [/^Max RX octets: (\d+)/, (m) => (maxData.rx = Number(m[1]))],
    [
      /^Size: (\d+)/,
      (m) => {
        if (/^LE Read (?:White|Accept) List Size$/.test(section)) set('acceptListSize', Number(m[1]));
        if (section === 'LE Read Resolving List Size') set('resolvingListSize', Number(m[1]));
      },
    ],
    [
      /^(.+) \(Octet (\d+) - Bit (\d)\)$/,
      (m) => {
        if (section !== 'Read Local Supported Commands') return;
        out.commands ??= [];
        out.commands.push({ name: m[1]!, octet: Number(m[2]), bit: Number(m[3]) });
      },
    ],
    [
      /^Octet (\d+) - Bit (\d)$/,
      (m) => {
        if (section !== 'Read Local Supported Commands') return;
        out.commands ??= [];
        out.commands.push({ name: '', octet: Number(m[1]), bit: Number(m[2]) });
      },
    ],
    // hcidump: "Commands: ffffff03cc..." (32 octets a line, continued on the next; the octets after
    // the last non-zero one are not printed)
    [
      /^Commands: ([0-9a-f]{2,64})$/,
      (m) => {
        if (section !== 'Read Local Supported Commands' || out.commands !== undefined) return;
        hcidumpCommands = { octets: m[1]!, line: lineNo };
        if (m[1]!.length < 64) commandsFromHcidump();
      },
    ],
    [
      /^([0-9a-f]{2,64})$/,
      (m) => {
        if (hcidumpCommands?.line !== lineNo - 1) return;
        hcidumpCommands.octets += m[1]!;
        commandsFromHcidump();
      },
    ],
    [
      /^States: 0x([0-9a-f]{16})$/,
      (m) => {
        if (section !== 'LE Read Supported States') return;
        const value = BigInt(`0x${m[1]!}`);
        set(
          'leStates',
          Uint8Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(8 * i)) & 0xffn)),
        );
      },
    ],
    // Bumble's HCI log: the answer's command on its own line, then one return parameter a line.
    [/^command_opcode:\s+(HCI_\w+)_COMMAND$/, (m) => (bumbleCommand = m[1]!)],
    [
      /^le_acl_data_packet_length:\s+(\d+)$/,
      (m) => {
        if (bumbleCommand === 'HCI_LE_READ_BUFFER_SIZE' && le.size < 0) le.size = Number(m[1]);
      },
    ],
    [
      /^total_num_le_acl_data_packets:\s+(\d+)$/,
      (m) => {
        if (bumbleCommand === 'HCI_LE_READ_BUFFER_SIZE' && le.count < 0) le.count = Number(m[1]);
      },
    ],
    // Bumble prints these octets in wire order.
    [/^le_features:\s+([0-9a-f]{16})$/, (m) => set('leFeatures', Uint8Array.from(octets(pairs(m[1]!))))],
    [/^le_states:\s+([0-9a-f]{16})$/, (m) => set('leStates', Uint8Array.from(octets(pairs(m[1]!))))],
    [/^company_identifier:\s+(\d+)$/, (m) => set('manufacturer', Number(m[1]))],
    [/^lmp_subversion:\s+(\d+)$/, (m) => set('lmpSubversion', Number(m[1]))],
    // Kconfig
    [/^config (\w+)$/, (m) => (config = m[1]!)],
    [/^default (\S+)$/, (m) => config !== '' && !out.kconfig.has(config) && out.kconfig.set(config, m[1]!)],
    // A sample's prj.conf
    [/^CONFIG_(\w+)=(\S+)$/, (m) => out.prjConf.set(m[1]!, m[2]!)],
  ];
  // A Command Complete event (Core v5.4 Vol 4 Part E 7.7.14) of an H4 hex dump, by its opcode.
  const commandComplete = (event: number[]): void => {
    const [code, , , opLow, opHigh, status, ...p] = event;
    if (code !== 0x0e || status !== 0x00) return;
    const u16 = (i: number): number => p[i]! | (p[i + 1]! << 8);
    switch (opLow! | (opHigh! << 8)) {
      case 0x1001: // Read Local Version Information
        set('hciVersion', p[0]);
        set('hciRevision', u16(1));
        set('lmpVersion', p[3]);
        set('manufacturer', u16(4));
        set('lmpSubversion', u16(6));
        break;
      case 0x1002: // Read Local Supported Commands (the first answer wins, as for every field)
        commandsFrom(Uint8Array.from(p.slice(0, 64)));
        break;
      case 0x1005: // Read Buffer Size: ACL length (2), SCO length (1), ACL count (2), SCO count (2)
        set('acl', { size: u16(0), count: u16(3) });
        break;
      case 0x2002: // LE Read Buffer Size
        if (le.size < 0) Object.assign(le, { size: u16(0), count: p[2]! });
        break;
      case 0x2003:
        set('leFeatures', Uint8Array.from(p.slice(0, 8)));
        break;
      case 0x200f:
        set('acceptListSize', p[0]);
        break;
      case 0x201c:
        set('leStates', Uint8Array.from(p.slice(0, 8)));
        break;
      case 0x202a:
        set('resolvingListSize', p[0]);
        break;
    }
  };
  let pending: number[] = [];
  const complete = (): boolean => pending.length >= 2 && pending.length >= 2 + pending[1]!;
  for (const raw of text.split('\n')) {
    lineNo++;
    if (hcidumpCommands !== undefined && hcidumpCommands.line < lineNo - 1) commandsFromHcidump();
    if (raw.startsWith('# source:') || raw.startsWith('# format:')) continue;
    out.lines.push(raw);
    const line = raw.trim();
    const start = HEX_EVENT.exec(line);
    const more = start === null && pending.length > 0 ? HEX_CONTINUATION.exec(line) : null;
    if (start !== null) pending = octets(start[1]!);
    else if (more !== null) pending.push(...octets(more[1]!));
    else pending = [];
    if (complete()) {
      commandComplete(pending);
      pending = [];
    }
    for (const [pattern, apply] of rules) {
      const m = pattern.exec(line);
      if (m !== null) apply(m);
    }
  }
  // A 32-octet line that nothing continued.
  if (hcidumpCommands !== undefined) commandsFromHcidump();
  if (le.size >= 0 || le.count >= 0) out.le = { ...le };
  if (maxData.tx >= 0 && maxData.rx >= 0) out.maxData = { ...maxData };
  return out;
}

export function parseFixture(path: string): Parsed {
  return parseStartup(readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8'));
}
