import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { leFeatureNames, leFeaturesFromNames } from '../../../src/hci/le-features.js';
import {
  bitmapToCommands,
  commandsToBitmap,
  hasCommand,
  supportedCommandBit,
} from '../../../src/hci/supported-commands.js';
import {
  CONTROLLER_PROFILES,
  type ControllerProfile,
  controllerProfile,
  controllerProfileNames,
  type Known,
  known,
  unknown,
} from '../../../src/transport/virtual/profiles/index.js';
import { consistencyProblems } from './consistency.js';
import { parseFixture, parseStartup } from './startup-parser.js';

const profiles = Object.values(CONTROLLER_PROFILES);

function knowns(p: ControllerProfile): [string, Known<unknown>][] {
  return [
    ['hciVersion', p.version.hciVersion],
    ['hciRevision', p.version.hciRevision],
    ['lmpVersion', p.version.lmpVersion],
    ['lmpSubversion', p.version.lmpSubversion],
    ['manufacturer', p.version.manufacturer],
    ['supportedCommands', p.supportedCommands],
    ['leFeatures', p.leFeatures],
    ['leBuffers', p.leBuffers],
    ['aclBuffers', p.aclBuffers],
    ['acceptListSize', p.acceptListSize],
    ['resolvingListSize', p.resolvingListSize],
    ['maxLeConnections', p.maxLeConnections],
    ['leStates', p.leStates],
  ];
}

describe('controller profile lookup', () => {
  it('has the profiles issue 16 asks for, each under its own name', () => {
    expect(controllerProfileNames()).toEqual([
      'pi3b',
      'pi4',
      'pi400',
      'pi5',
      'intel-ax200',
      'intel-ax210',
      'rtl8761b',
      'rtl8761b-rom',
      'csr8510',
      'nrf52840-zephyr',
      'intel-5.1',
    ]);
    for (const name of controllerProfileNames()) expect(controllerProfile(name).name).toBe(name);
  });

  it('throws for an unknown name, listing the known ones', () => {
    expect(() => controllerProfile('pi9')).toThrow(RangeError);
    expect(() => controllerProfile('pi9')).toThrow(
      'unknown controller profile "pi9"; known: pi3b, pi4, pi400, pi5, intel-ax200, intel-ax210, rtl8761b, rtl8761b-rom, csr8510, nrf52840-zephyr, intel-5.1',
    );
    expect(() => controllerProfile('toString')).toThrow(/unknown controller profile "toString"/);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(CONTROLLER_PROFILES)).toBe(true);
    for (const p of profiles) {
      expect(Object.isFrozen(p)).toBe(true);
      expect(Object.isFrozen(p.version)).toBe(true);
      expect(Object.isFrozen(p.quirks)).toBe(true);
    }
  });
});

describe('known / unknown', () => {
  it('a known value needs a source; an unknown one carries its reason', () => {
    expect(() => known(1, [])).toThrow(/source/);
    expect(unknown('not captured')).toEqual({ value: null, sources: [], note: 'not captured' });
  });
});

describe.each(profiles.map((p) => [p.name, p] as const))('profile %s', (_name, p) => {
  const fixtureText = readFileSync(new URL(`../../../${p.fixture}`, import.meta.url), 'utf8');
  const parsed = parseFixture(p.fixture);

  it('gives every known value a source and every unknown one a note', () => {
    for (const [field, k] of knowns(p)) {
      if (k.value === null) {
        expect(k.sources, field).toHaveLength(0);
        expect(k.note, field).toMatch(/\w/);
      } else {
        expect(k.sources.length, field).toBeGreaterThan(0);
      }
    }
    for (const q of p.quirks) expect(q.sources.length, q.id).toBeGreaterThan(0);
  });

  it('quotes only lines that are in its fixture, under a "# source:" header naming the same address', () => {
    const sources = [...knowns(p).flatMap(([, k]) => k.sources), ...p.quirks.flatMap((q) => q.sources)];
    expect(fixtureText.split('\n')[0]).toMatch(/^# source: /);
    for (const s of sources) {
      // Compared without leading and trailing whitespace, which the quotes and excerpts may indent differently.
      expect(
        parsed.lines.map((l) => l.trim()),
        s.line,
      ).toContain(s.line.trim());
      // The nearest "# source:" header above the quoted line names the source's address (or its first part).
      const lines = fixtureText.split('\n');
      const index = lines.findIndex((l) => l.trim() === s.line.trim() && !l.startsWith('#'));
      const header = lines
        .slice(0, index)
        .reverse()
        .find((l) => l.startsWith('# source:'))!;
      expect(header, s.line).toContain(s.url.split(' ')[0]!.replace(/\/blob\/[0-9a-f]{40}\/.*$/, ''));
    }
  });

  it("re-derives the version fields from the fixture's capture", () => {
    const v = p.version;
    const pairs: [Known<number>, number | undefined][] = [
      [v.hciVersion, parsed.hciVersion],
      [v.hciRevision, parsed.hciRevision],
      [v.lmpVersion, parsed.lmpVersion],
      [v.lmpSubversion, parsed.lmpSubversion],
    ];
    for (const [k, fromFixture] of pairs) {
      if (k.value !== null && k.sources.some((s) => s.kind !== 'source')) expect(k.value).toBe(fromFixture);
    }
    const m = v.manufacturer;
    if (m.value !== null && parsed.manufacturer !== undefined) expect(m.value).toBe(parsed.manufacturer);
  });

  it('re-derives buffers, features and list sizes from the fixture where it has them', () => {
    if (p.aclBuffers.value !== null) expect(p.aclBuffers.value).toEqual(parsed.acl);
    else expect(parsed.acl).toBeUndefined();
    if (p.leBuffers.value !== null) expect(p.leBuffers.value).toEqual(parsed.le);
    if (p.leFeatures.value !== null) expect([...p.leFeatures.value]).toEqual([...(parsed.leFeatures ?? [])]);
    if (p.acceptListSize.value !== null && parsed.acceptListSize !== undefined) {
      expect(p.acceptListSize.value).toBe(parsed.acceptListSize);
    }
    if (p.resolvingListSize.value !== null && parsed.resolvingListSize !== undefined) {
      expect(p.resolvingListSize.value).toBe(parsed.resolvingListSize);
    }
    if (p.supportedCommands.value !== null && parsed.commands !== undefined) {
      // The bitmap the capture lists, by the positions btmon printed; each printed name sits where the table puts it.
      const fromCapture = new Uint8Array(64);
      for (const c of parsed.commands) {
        fromCapture[c.octet]! |= 1 << c.bit;
        if (c.name !== '')
          expect(supportedCommandBit(c.name), c.name).toMatchObject({ octet: c.octet, bit: c.bit });
      }
      const { bitmap, complete } = p.supportedCommands.value;
      if (complete) expect([...bitmap]).toEqual([...fromCapture]);
      else for (let i = 0; i < 64; i++) expect(bitmap[i]! & fromCapture[i]!).toBe(fromCapture[i]);
    }
    if (p.leStates.value !== null) expect([...p.leStates.value]).toEqual([...(parsed.leStates ?? [])]);
  });

  it('is internally consistent', () => {
    expect(consistencyProblems(p)).toEqual([]);
  });
});

describe('the Zephyr profile against its Kconfig and hci.c excerpt', () => {
  const p = controllerProfile('nrf52840-zephyr');
  const parsed = parseFixture(p.fixture);

  it('takes company id, subversion and resolving-list size from the Kconfig defaults', () => {
    expect(p.version.manufacturer.value).toBe(Number(parsed.kconfig.get('BT_CTLR_COMPANY_ID')));
    expect(p.version.lmpSubversion.value).toBe(Number(parsed.kconfig.get('BT_CTLR_SUBVERSION_NUMBER')));
    expect(p.resolvingListSize.value).toBe(Number(parsed.kconfig.get('BT_CTLR_RL_SIZE')));
    expect(parsed.kconfig.get('BT_CTLR_TX_BUFFER_SIZE')).toBe('27');
    expect(parsed.lines).toContain('\trp->hci_revision = sys_cpu_to_le16(0);');
  });

  it("takes the connection limit from the hci_uart sample's prj.conf, the size of the controller's connection pool", () => {
    expect(parsed.prjConf.get('BT_HCI_RAW')).toBe('y');
    expect(p.maxLeConnections.value).toBe(Number(parsed.prjConf.get('BT_MAX_CONN')));
    expect(parsed.lines).toContain('static struct ll_conn conn_pool[CONFIG_BT_MAX_CONN];');
  });
});

describe('the start-up parser', () => {
  it('reads btmon answers for LE buffers, LE features and list sizes', () => {
    const text = [
      '      LE Read Buffer Size (0x08|0x0002) ncmd 1',
      '        Status: Success (0x00)',
      '        Data packet length: 251',
      '        Num data packets: 10',
      '      LE Read Local Supported Features (0x08|0x0003) ncmd 1',
      '        Features: 0xff 0x49 0x01 0x00 0x00 0x00 0x00 0x00',
      '      LE Read White List Size (0x08|0x000f) ncmd 1',
      '        Size: 25',
      '      LE Read Resolving List Size (0x08|0x002a) ncmd 1',
      '        Size: 8',
      '      Read Buffer Size (0x04|0x0005) ncmd 1',
      '        ACL MTU: 310  ACL max packet: 10',
    ].join('\n');
    const parsed = parseStartup(text);
    expect(parsed.le).toEqual({ size: 251, count: 10 });
    expect([...parsed.leFeatures!]).toEqual([0xff, 0x49, 0x01, 0, 0, 0, 0, 0]);
    expect(parsed.acceptListSize).toBe(25);
    expect(parsed.resolvingListSize).toBe(8);
    expect(parsed.acl).toEqual({ size: 310, count: 10 });
  });

  it('reads H4 hex dumps: Command Complete events by opcode, a packet continued on indented lines', () => {
    const text = [
      '// > 04 0E 0C 01 01 10 00 09 7E 01 09 31 01 19 61',
      '// > 04 0E 0B 01 05 10 00 FD 03 40 08 00 01 00',
      '// > 04 0E FC 01 14 0C 00 43 53 52', // Read Local Name, cut short: ignored
      '// > 04 0E 07 01 02 20 00 FB 00 0A',
      'EVT <=  0E 0C 01 03 20 00 FF 49 01 00 00 00 00 00',
      'EVT <=  0E 05 01 0F 20 00 19',
      'EVT <=  0E 05 01 2A 20 00 08',
      'EVT <=  0E 0C 01 1C 20 00 FF FF FF 1F 00 00 00 00',
      '// > 04 0E 44 01 02 10 00 21 00 00 00 00 00 00 00 00',
      '//   00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '//   00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 80',
      // A failed command (status 0x0c) gives nothing.
      'EVT <=  0E 07 01 02 20 0C 1B 00 03',
    ].join('\n');
    const parsed = parseStartup(text);
    expect(parsed).toMatchObject({
      hciVersion: 0x09,
      hciRevision: 0x017e,
      lmpVersion: 0x09,
      manufacturer: 305,
      lmpSubversion: 0x6119,
      acl: { size: 1021, count: 8 },
      le: { size: 251, count: 10 },
      acceptListSize: 25,
      resolvingListSize: 8,
    });
    expect([...parsed.leFeatures!]).toEqual([0xff, 0x49, 0x01, 0, 0, 0, 0, 0]);
    expect([...parsed.leStates!]).toEqual([0xff, 0xff, 0xff, 0x1f, 0, 0, 0, 0]);
    expect(parsed.commands).toEqual([
      { name: '', octet: 0, bit: 0 },
      { name: '', octet: 0, bit: 5 },
      { name: '', octet: 63, bit: 7 },
    ]);
    // hcidump's compact list: 32 octets a line, continued on the next, cut after the last non-zero octet.
    const hcidump = (...lines: string[]) =>
      parseStartup(
        ['    Read Local Supported Commands (0x04|0x0002) ncmd 1', '    status 0x00', ...lines].join('\n'),
      ).commands;
    const full = `${'00'.repeat(31)}01`;
    expect(hcidump(`    Commands: ${full}`, '              0080')).toEqual([
      { name: '', octet: 31, bit: 0 },
      { name: '', octet: 33, bit: 7 },
    ]);
    expect(hcidump('    Commands: 2100')).toEqual([
      { name: '', octet: 0, bit: 0 },
      { name: '', octet: 0, bit: 5 },
    ]);
    // A full first line that nothing continues; a hex line further down is not part of it.
    expect(hcidump(`    Commands: ${full}`, '> HCI Event: Command Complete (0x0e) plen 4', '  80')).toEqual([
      { name: '', octet: 31, bit: 0 },
    ]);
    // Bumble's log: return parameters under the command they answer; octets in wire order.
    const bumble = parseStartup(
      [
        '  command_opcode:          HCI_READ_BUFFER_SIZE_COMMAND',
        '    le_acl_data_packet_length:     99', // not the LE Read Buffer Size answer: ignored
        '  command_opcode:          HCI_LE_READ_BUFFER_SIZE_COMMAND',
        '    le_acl_data_packet_length:     27',
        '    total_num_le_acl_data_packets: 7',
        '    le_features: df49010000000000',
        '    le_states: ffff3fffff030000',
        '    company_identifier: 1521',
        '    lmp_subversion:     65535',
      ].join('\n'),
    );
    expect(bumble).toMatchObject({ le: { size: 27, count: 7 }, manufacturer: 0x05f1, lmpSubversion: 0xffff });
    expect([...bumble.leFeatures!]).toEqual([0xdf, 0x49, 0x01, 0, 0, 0, 0, 0]);
    expect([...bumble.leStates!]).toEqual([0xff, 0xff, 0x3f, 0xff, 0xff, 0x03, 0, 0]);
    // Cut short or failed, an answer fills nothing.
    expect(parseStartup('EVT <=  0E 07 01 02 20 0C 1B 00 03').le).toBeUndefined();
    expect(parseStartup('// > 04 0E 0C 01 01 10 00 09 7E').hciVersion).toBeUndefined();
  });
});

describe('the consistency rules', () => {
  const src = [{ kind: 'capture' as const, url: 'https://example.org/test', line: 'test' }];
  const base = controllerProfile('pi4');
  const withValues = (over: Partial<ControllerProfile>): ControllerProfile => ({ ...base, ...over });

  it('flag shared LE buffers with no BR/EDR buffers, and a non-zero size with count 0', () => {
    expect(
      consistencyProblems(
        withValues({ leBuffers: known({ size: 27, count: 0 }, src), aclBuffers: unknown('not captured') }),
      ),
    ).toEqual([
      'LE buffer count 0 (shared) with a non-zero LE size',
      'LE buffers shared with BR/EDR but no BR/EDR ACL buffers',
    ]);
    expect(consistencyProblems(withValues({ leBuffers: known({ size: 0, count: 0 }, src) }))).toEqual([]);
    expect(consistencyProblems(withValues({ leBuffers: known({ size: 20, count: 4 }, src) }))).toEqual([
      'LE buffer size below 27',
    ]);
  });

  it('flag features a version cannot have and commands the features need', () => {
    const dle = leFeaturesFromNames(['LE Data Packet Length Extension', 'LL Privacy']);
    const v41 = { ...base.version, hciVersion: known(0x07, src) };
    expect(consistencyProblems(withValues({ version: v41, leFeatures: known(dle, src) }))).toEqual([
      'Data Length Extension or LL Privacy on a controller older than 4.2',
    ]);
    const complete = (names: string[]) => known({ bitmap: commandsToBitmap(names), complete: true }, src);
    expect(
      consistencyProblems(
        withValues({ leFeatures: known(dle, src), supportedCommands: complete(['LE Set Data Length']) }),
      ),
    ).toEqual(['LL Privacy without LE Add Device To Resolving List']);
    // A partial list proves nothing about what is missing.
    const partial = known({ bitmap: commandsToBitmap(['Reset']), complete: false }, src);
    expect(
      consistencyProblems(withValues({ leFeatures: known(dle, src), supportedCommands: partial })),
    ).toEqual([]);
    const noPrivacy = leFeaturesFromNames(['LE Encryption']);
    expect(
      consistencyProblems(
        withValues({ leFeatures: known(noPrivacy, src), resolvingListSize: known(8, src) }),
      ),
    ).toEqual(['a resolving list without LL Privacy']);
    expect(hasCommand(commandsToBitmap(['LE Set PHY']), 'LE Set PHY')).toBe(true);
  });
});

describe('the csr8510 profile, from two dongles of the same firmware build', () => {
  const p = controllerProfile('csr8510');
  const text = readFileSync(new URL(`../../../${p.fixture}`, import.meta.url), 'utf8');
  // Each "# source:" section of the fixture on its own.
  const sections = text.split(/^(?=# source:)/m).map((section) => parseStartup(section));
  const withCommands = sections.filter((s) => s.commands !== undefined);

  it('both hex captures list the same 170 commands, all of them 4.0 commands', () => {
    expect(withCommands).toHaveLength(2);
    const [first, second] = withCommands.map((s) => s.commands!.map((c) => `${c.octet}.${c.bit}`));
    expect(second).toEqual(first);
    const names = bitmapToCommands(p.supportedCommands.value!.bitmap);
    expect(names).toHaveLength(170);
    expect(names).toEqual(expect.arrayContaining(['LE Encrypt', 'LE Rand', 'LE Start Encryption']));
    for (const newer of ['LE Set Data Length', 'LE Read Resolving List Size', 'Set Event Mask Page 2'])
      expect(names).not.toContain(newer);
    // Both give the same version and LE features.
    for (const s of withCommands) {
      expect([s.hciVersion, s.hciRevision, s.manufacturer]).toEqual([0x06, 0x22bb, 10]);
      expect([...s.leFeatures!]).toEqual([...p.leFeatures.value!]);
    }
  });

  it('has no LE buffers of its own: LE shares the 310 x 10 BR/EDR buffers', () => {
    expect(p.leBuffers.value).toEqual({ size: 0, count: 0 });
    expect(p.aclBuffers.value).toEqual({ size: 310, count: 10 });
    expect(leFeatureNames(p.leFeatures.value!)).toEqual(['LE Encryption']);
  });
});

describe('the pi3b profile, from a Pi 3B, a Pi with the same controller, and two Zero 2 W boards', () => {
  const p = controllerProfile('pi3b');
  const text = readFileSync(new URL(`../../../${p.fixture}`, import.meta.url), 'utf8');
  const sections = text.split(/^(?=# source:)/m).map((section) => ({
    source: /^# source: (\S+)/.exec(section)![1]!,
    parsed: parseStartup(section),
  }));

  it('every capture shows the same controller; the 2023 and 2024 ones the same firmware build', () => {
    expect(sections).toHaveLength(3);
    for (const { parsed } of sections) {
      expect([parsed.hciVersion, parsed.lmpSubversion, parsed.manufacturer]).toEqual([0x07, 0x2209, 15]);
    }
    const byBuild = sections.map(({ source, parsed }) => [source, parsed.hciRevision]);
    expect(byBuild).toEqual([
      ['https://github.com/teslamotors/vehicle-command/issues/101', 0x1fc],
      ['https://github.com/currantlabs/ble/issues/29', 0xb6],
      ['https://github.com/RPi-Distro/firmware-nonfree/issues/31', 0x1fc],
    ]);
    expect(p.version.hciRevision.value).toBe(0x1fc);
    // The buffers, where shown, agree with the profile's.
    for (const { parsed } of sections) if (parsed.acl) expect(parsed.acl).toEqual(p.aclBuffers.value);
  });

  it('lists the 198 commands of a 4.1 controller and nothing newer', () => {
    const names = bitmapToCommands(p.supportedCommands.value!.bitmap);
    expect(names).toHaveLength(198);
    expect(names).toEqual(
      expect.arrayContaining(['LE Encrypt', 'LE Start Encryption', 'Set Event Mask Page 2']),
    );
    for (const newer of ['LE Set Data Length', 'LE Read Resolving List Size', 'LE Set PHY'])
      expect(names).not.toContain(newer);
  });
});

describe('the intel-5.1 profile, from a complete btmon start-up', () => {
  const p = controllerProfile('intel-5.1');

  it('lists the 215 commands of the capture, names -> bitmap -> names', () => {
    const names = bitmapToCommands(p.supportedCommands.value!.bitmap);
    expect(names).toHaveLength(215);
    expect(bitmapToCommands(commandsToBitmap(names))).toEqual(names);
    expect(names).toContain('LE Read Accept List Size');
    expect(names).not.toContain('LE Read Buffer Size [v2]');
  });

  it('supports what its LE features say, and the host needs no BR/EDR buffers for LE', () => {
    expect(leFeatureNames(p.leFeatures.value!)).toEqual([
      'LE Encryption',
      'Connection Parameter Request Procedure',
      'Extended Reject Indication',
      'Peripheral-initiated Features Exchange',
      'LE Ping',
      'LE Data Packet Length Extension',
      'LL Privacy',
      'Extended Scanner Filter Policies',
      'LE 2M PHY',
      'LE Coded PHY',
      'LE Extended Advertising',
      'Channel Selection Algorithm #2',
      'Remote Public Key Validation',
    ]);
    expect(p.leBuffers.value!.count).toBeGreaterThan(0);
  });
});
