// A small reader of controller start-up text (btmon, hcidump, hciconfig, a
// Zephyr host log, btmon's Intel Read Version decoding, Zephyr Kconfig), used
// to re-derive a profile's values from its fixture. Each recognised line fills
// one field; the first value found wins.
import { readFileSync } from 'node:fs';

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

export function parseStartup(text: string): Parsed {
  const out: Parsed = { kconfig: new Map(), prjConf: new Map(), lines: [] };
  const set = <K extends keyof Parsed>(key: K, value: Parsed[K]): void => {
    if (out[key] === undefined) out[key] = value;
  };
  let section = '';
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
    // Kconfig
    [/^config (\w+)$/, (m) => (config = m[1]!)],
    [/^default (\S+)$/, (m) => config !== '' && !out.kconfig.has(config) && out.kconfig.set(config, m[1]!)],
    // A sample's prj.conf
    [/^CONFIG_(\w+)=(\S+)$/, (m) => out.prjConf.set(m[1]!, m[2]!)],
  ];
  for (const raw of text.split('\n')) {
    if (raw.startsWith('# source:') || raw.startsWith('# format:')) continue;
    out.lines.push(raw);
    const line = raw.trim();
    for (const [pattern, apply] of rules) {
      const m = pattern.exec(line);
      if (m !== null) apply(m);
    }
  }
  if (le.size >= 0 || le.count >= 0) out.le = { ...le };
  if (maxData.tx >= 0 && maxData.rx >= 0) out.maxData = { ...maxData };
  return out;
}

export function parseFixture(path: string): Parsed {
  return parseStartup(readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8'));
}
