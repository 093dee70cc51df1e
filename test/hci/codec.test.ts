/**
 * The HCI command and event codec against hand-written wire examples (Core
 * Vol 4 Part E 5.4, 7.1, 7.3, 7.4, 7.7, 7.8). The octets below are written
 * from the spec's layouts, not produced by src/; so are the opcodes (from OGF
 * and OCF) and the table of which commands return what.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COMMAND_NAME,
  COMMAND_OPCODE,
  type CommandDecodeResult,
  decodeCommand,
  encodeCommand,
  type HciCommand,
  type HciCommandName,
} from '../../src/hci/commands.js';
import {
  describeHciError,
  HCI_ERROR_NAME,
  HciErrorCode,
  HciEventCode,
  HciOpcode,
  LeSubeventCode,
  Ogf,
  opcode,
  splitOpcode,
} from '../../src/hci/constants.js';
import {
  type AdvertisingReport,
  decodeEvent,
  encodeEvent,
  type HciEvent,
  type HciEventName,
  type ReturnParameters,
  type ReturnParametersKind,
  returnParametersKind,
} from '../../src/hci/events.js';

/** '03 0c 00' -> Uint8Array [3, 12, 0]; written here so that the tests do not lean on src/ helpers. */
function octets(text: string): Uint8Array {
  const parts = text.trim().split(/\s+/).filter(Boolean);
  return Uint8Array.from(parts.map((part) => Number.parseInt(part, 16)));
}
function zeros(n: number): string {
  return Array.from({ length: n }, () => '00').join(' ');
}
/** A packet with its length octet (at `at`) set to the number of octets after it. */
function withLength(bytes: Uint8Array, at: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[at] = out.length - at - 1;
  return out;
}

// d2:a7:4c:76:f3:e0 as people write it; wire order is least significant octet first.
const ADDRESS = 'e0 f3 76 4c a7 d2';
const RAND = 'a1 a2 a3 a4 a5 a6 a7 a8';
const LTK = '00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff';

// ------------------------------------------------------------------ constants

describe('constants', () => {
  it('opcodes are OGF << 10 | OCF, with the OGF and OCF of each command section', () => {
    // [name, OGF, OCF] from Vol 4 Part E 7.1.6, 7.3.x, 7.4.x, 7.8.x.
    const table: ReadonlyArray<readonly [keyof typeof HciOpcode, number, number]> = [
      ['Disconnect', 0x01, 0x0006],
      ['SetEventMask', 0x03, 0x0001],
      ['Reset', 0x03, 0x0003],
      ['ReadLocalVersionInformation', 0x04, 0x0001],
      ['ReadLocalSupportedCommands', 0x04, 0x0002],
      ['ReadBufferSize', 0x04, 0x0005],
      ['ReadBdAddr', 0x04, 0x0009],
      ['LeSetEventMask', 0x08, 0x0001],
      ['LeReadBufferSize', 0x08, 0x0002],
      ['LeReadLocalSupportedFeatures', 0x08, 0x0003],
      ['LeSetRandomAddress', 0x08, 0x0005],
      ['LeReadFilterAcceptListSize', 0x08, 0x000f],
      ['LeReadResolvingListSize', 0x08, 0x002a],
      ['LeReadMaximumDataLength', 0x08, 0x002f],
      ['LeSetAdvertisingParameters', 0x08, 0x0006],
      ['LeSetAdvertisingData', 0x08, 0x0008],
      ['LeSetScanResponseData', 0x08, 0x0009],
      ['LeSetAdvertisingEnable', 0x08, 0x000a],
      ['LeSetScanParameters', 0x08, 0x000b],
      ['LeSetScanEnable', 0x08, 0x000c],
      ['LeCreateConnection', 0x08, 0x000d],
      ['LeCreateConnectionCancel', 0x08, 0x000e],
      ['LeConnectionUpdate', 0x08, 0x0013],
      ['LeReadRemoteFeatures', 0x08, 0x0016],
      ['LeRand', 0x08, 0x0018],
      ['LeStartEncryption', 0x08, 0x0019],
      ['LeLongTermKeyRequestReply', 0x08, 0x001a],
      ['LeLongTermKeyRequestNegativeReply', 0x08, 0x001b],
    ];
    expect(table.map(([name]) => name).sort()).toEqual(Object.keys(HciOpcode).sort());
    for (const [name, ogf, ocf] of table) {
      expect(HciOpcode[name], name).toBe(ogf * 1024 + ocf);
      expect(opcode(ogf, ocf)).toBe(HciOpcode[name]);
      expect(splitOpcode(HciOpcode[name])).toEqual({ ogf, ocf });
    }
    expect(Ogf).toEqual({
      LinkControl: 1,
      ControllerBaseband: 3,
      InformationalParameters: 4,
      LeController: 8,
    });
    expect(() => opcode(0x40, 0)).toThrow(RangeError);
    expect(() => opcode(0x08, 0x400)).toThrow(RangeError);
  });

  it('event and LE subevent codes (7.7)', () => {
    expect(HciEventCode).toEqual({
      DisconnectionComplete: 0x05,
      EncryptionChange: 0x08,
      CommandComplete: 0x0e,
      CommandStatus: 0x0f,
      HardwareError: 0x10,
      NumberOfCompletedPackets: 0x13,
      EncryptionKeyRefreshComplete: 0x30,
      LeMeta: 0x3e,
    });
    expect(LeSubeventCode).toEqual({
      ConnectionComplete: 0x01,
      AdvertisingReport: 0x02,
      ConnectionUpdateComplete: 0x03,
      ReadRemoteFeaturesComplete: 0x04,
      LongTermKeyRequest: 0x05,
      EnhancedConnectionComplete: 0x0a,
    });
  });

  it('error codes carry the spec names (Vol 1 Part F 1.3)', () => {
    const required: ReadonlyArray<readonly [number, string, string]> = [
      [0x00, 'Success', 'Success'],
      [0x01, 'UnknownHciCommand', 'Unknown HCI Command'],
      [0x02, 'UnknownConnectionIdentifier', 'Unknown Connection Identifier'],
      [0x05, 'AuthenticationFailure', 'Authentication Failure'],
      [0x06, 'PinOrKeyMissing', 'PIN or Key Missing'],
      [0x08, 'ConnectionTimeout', 'Connection Timeout'],
      [0x0c, 'CommandDisallowed', 'Command Disallowed'],
      [0x12, 'InvalidHciCommandParameters', 'Invalid HCI Command Parameters'],
      [0x13, 'RemoteUserTerminatedConnection', 'Remote User Terminated Connection'],
      [0x16, 'ConnectionTerminatedByLocalHost', 'Connection Terminated By Local Host'],
      [0x1a, 'UnsupportedRemoteFeature', 'Unsupported Remote Feature'],
      [0x3b, 'UnacceptableConnectionParameters', 'Unacceptable Connection Parameters'],
      [0x3d, 'ConnectionTerminatedMicFailure', 'Connection Terminated due to MIC Failure'],
      [0x3e, 'ConnectionFailedToBeEstablished', 'Connection Failed to be Established'],
    ];
    for (const [code, key, name] of required) {
      expect((HciErrorCode as Record<string, number>)[key], key).toBe(code);
      expect(HCI_ERROR_NAME[code]).toMatch(new RegExp(`^${name}`));
    }
    for (const code of Object.values(HciErrorCode)) expect(HCI_ERROR_NAME[code]).toBeTypeOf('string');
    for (const reserved of [0x2b, 0x31, 0x33]) expect(HCI_ERROR_NAME[reserved]).toBeUndefined();
    expect(describeHciError(0x13)).toBe('0x13 Remote User Terminated Connection');
    expect(describeHciError(0x99)).toBe('0x99 (reserved)');
    expect(
      Object.isFrozen(HciErrorCode) && Object.isFrozen(HCI_ERROR_NAME) && Object.isFrozen(HciOpcode),
    ).toBe(true);
  });
});

// ------------------------------------------------------------------ commands

interface CommandExample {
  readonly wire: string;
  readonly command: HciCommand;
}
const COMMAND_EXAMPLES: readonly CommandExample[] = [
  { wire: '03 0c 00', command: { name: 'reset' } },
  { wire: '09 10 00', command: { name: 'read-bd-addr' } },
  { wire: '01 10 00', command: { name: 'read-local-version-information' } },
  { wire: '05 10 00', command: { name: 'read-buffer-size' } },
  { wire: '02 10 00', command: { name: 'read-local-supported-commands' } },
  { wire: '0f 20 00', command: { name: 'le-read-filter-accept-list-size' } },
  { wire: '2a 20 00', command: { name: 'le-read-resolving-list-size' } },
  { wire: '2f 20 00', command: { name: 'le-read-maximum-data-length' } },
  { wire: '02 20 00', command: { name: 'le-read-buffer-size' } },
  { wire: '03 20 00', command: { name: 'le-read-local-supported-features' } },
  { wire: '0e 20 00', command: { name: 'le-create-connection-cancel' } },
  {
    // 7.8.18: handle 0x0040, interval 24..40, latency 0, timeout 72, CE length 0..0.
    wire: '13 20 0e 40 00 18 00 28 00 00 00 48 00 00 00 00 00',
    command: {
      name: 'le-connection-update',
      handle: 0x40,
      connectionIntervalMin: 24,
      connectionIntervalMax: 40,
      maxLatency: 0,
      supervisionTimeout: 72,
      minCeLength: 0,
      maxCeLength: 0,
    },
  },
  { wire: '18 20 00', command: { name: 'le-rand' } },
  {
    wire: '01 0c 08 ff ff fb ff 07 f8 bf 3d',
    command: { name: 'set-event-mask', eventMask: octets('ff ff fb ff 07 f8 bf 3d') },
  },
  {
    wire: '01 20 08 1f 00 00 00 00 00 00 00',
    command: { name: 'le-set-event-mask', leEventMask: octets('1f 00 00 00 00 00 00 00') },
  },
  {
    wire: `05 20 06 ${ADDRESS}`,
    command: { name: 'le-set-random-address', randomAddress: octets(ADDRESS) },
  },
  {
    // min 0x0020, max 0x0040, ADV_IND, own random, peer random 01:02:03:04:05:c6 (wire order), ch 37-39, no filter.
    wire: '06 20 0f 20 00 40 00 00 01 01 01 02 03 04 05 c6 07 00',
    command: {
      name: 'le-set-advertising-parameters',
      advertisingIntervalMin: 0x0020,
      advertisingIntervalMax: 0x0040,
      advertisingType: 0x00,
      ownAddressType: 0x01,
      peerAddressType: 0x01,
      peerAddress: octets('01 02 03 04 05 c6'),
      advertisingChannelMap: 0x07,
      advertisingFilterPolicy: 0x00,
    },
  },
  {
    // Flags AD structure (02 01 06), padded to 31 octets.
    wire: `08 20 20 03 02 01 06 ${zeros(28)}`,
    command: { name: 'le-set-advertising-data', advertisingData: octets('02 01 06') },
  },
  {
    // Complete Local Name "hi" (03 09 68 69), padded to 31 octets.
    wire: `09 20 20 04 03 09 68 69 ${zeros(27)}`,
    command: { name: 'le-set-scan-response-data', scanResponseData: octets('03 09 68 69') },
  },
  { wire: '0a 20 01 01', command: { name: 'le-set-advertising-enable', enable: true } },
  {
    wire: '0b 20 07 01 10 00 08 00 01 00',
    command: {
      name: 'le-set-scan-parameters',
      scanType: 0x01,
      scanInterval: 0x0010,
      scanWindow: 0x0008,
      ownAddressType: 0x01,
      scanningFilterPolicy: 0x00,
    },
  },
  { wire: '0c 20 02 01 00', command: { name: 'le-set-scan-enable', enable: true, filterDuplicates: false } },
  {
    wire: `0d 20 19 60 00 30 00 00 01 ${ADDRESS} 00 18 00 28 00 04 00 c8 00 00 00 00 00`,
    command: {
      name: 'le-create-connection',
      scanInterval: 0x0060,
      scanWindow: 0x0030,
      initiatorFilterPolicy: 0x00,
      peerAddressType: 0x01,
      peerAddress: octets(ADDRESS),
      ownAddressType: 0x00,
      connectionIntervalMin: 0x0018,
      connectionIntervalMax: 0x0028,
      maxLatency: 0x0004,
      supervisionTimeout: 0x00c8,
      minCeLength: 0,
      maxCeLength: 0,
    },
  },
  { wire: '06 04 03 40 00 13', command: { name: 'disconnect', handle: 0x0040, reason: 0x13 } },
  {
    wire: `19 20 1c 40 00 ${RAND} 3c 5a ${LTK}`,
    command: {
      name: 'le-start-encryption',
      handle: 0x0040,
      rand: octets(RAND),
      ediv: 0x5a3c,
      ltk: octets(LTK),
    },
  },
  {
    wire: `1a 20 12 40 00 ${LTK}`,
    command: { name: 'le-long-term-key-request-reply', handle: 0x0040, ltk: octets(LTK) },
  },
  { wire: '1b 20 02 40 00', command: { name: 'le-long-term-key-request-negative-reply', handle: 0x0040 } },
  { wire: '16 20 02 41 00', command: { name: 'le-read-remote-features', handle: 0x0041 } },
];
const COMMAND_NAMES = Object.keys(COMMAND_OPCODE) as HciCommandName[];

describe('commands: hand-written wire examples', () => {
  it('cover every command', () => {
    expect(COMMAND_EXAMPLES.map((e) => e.command.name).sort()).toEqual([...COMMAND_NAMES].sort());
    expect(COMMAND_NAMES).toHaveLength(28);
  });
  it.each(COMMAND_EXAMPLES.map((e) => [e.command.name, e] as const))('%s', (_name, { wire, command }) => {
    expect(decodeCommand(octets(wire))).toEqual({ ok: true, command });
    expect(encodeCommand(command)).toEqual(octets(wire));
    expect(COMMAND_NAME[COMMAND_OPCODE[command.name]]).toBe(command.name);
  });
});

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const handle = fc.integer({ min: 0, max: 0x0eff });
/** The connection parameters shared by LE Create Connection and LE Connection Update. */
const intervalParameters = {
  connectionIntervalMin: u16,
  connectionIntervalMax: u16,
  maxLatency: u16,
  supervisionTimeout: u16,
  minCeLength: u16,
  maxCeLength: u16,
};
const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const address = bytes(6);
const advData = fc.uint8Array({ maxLength: 31 });

const COMMAND_ARBITRARY: { readonly [N in HciCommandName]: fc.Arbitrary<Extract<HciCommand, { name: N }>> } =
  {
    disconnect: fc.record({ name: fc.constant('disconnect'), handle, reason: u8 }),
    'set-event-mask': fc.record({ name: fc.constant('set-event-mask'), eventMask: bytes(8) }),
    reset: fc.constant({ name: 'reset' }),
    'read-local-version-information': fc.constant({ name: 'read-local-version-information' }),
    'read-buffer-size': fc.constant({ name: 'read-buffer-size' }),
    'read-local-supported-commands': fc.constant({ name: 'read-local-supported-commands' }),
    'le-read-filter-accept-list-size': fc.constant({ name: 'le-read-filter-accept-list-size' }),
    'le-read-resolving-list-size': fc.constant({ name: 'le-read-resolving-list-size' }),
    'le-read-maximum-data-length': fc.constant({ name: 'le-read-maximum-data-length' }),
    'read-bd-addr': fc.constant({ name: 'read-bd-addr' }),
    'le-set-event-mask': fc.record({ name: fc.constant('le-set-event-mask'), leEventMask: bytes(8) }),
    'le-read-buffer-size': fc.constant({ name: 'le-read-buffer-size' }),
    'le-read-local-supported-features': fc.constant({ name: 'le-read-local-supported-features' }),
    'le-read-remote-features': fc.record({ name: fc.constant('le-read-remote-features'), handle }),
    'le-set-random-address': fc.record({
      name: fc.constant('le-set-random-address'),
      randomAddress: address,
    }),
    'le-set-advertising-parameters': fc.record({
      name: fc.constant('le-set-advertising-parameters'),
      advertisingIntervalMin: u16,
      advertisingIntervalMax: u16,
      advertisingType: u8,
      ownAddressType: u8,
      peerAddressType: u8,
      peerAddress: address,
      advertisingChannelMap: u8,
      advertisingFilterPolicy: u8,
    }),
    'le-set-advertising-data': fc.record({
      name: fc.constant('le-set-advertising-data'),
      advertisingData: advData,
    }),
    'le-set-scan-response-data': fc.record({
      name: fc.constant('le-set-scan-response-data'),
      scanResponseData: advData,
    }),
    'le-set-advertising-enable': fc.record({
      name: fc.constant('le-set-advertising-enable'),
      enable: fc.boolean(),
    }),
    'le-set-scan-parameters': fc.record({
      name: fc.constant('le-set-scan-parameters'),
      scanType: u8,
      scanInterval: u16,
      scanWindow: u16,
      ownAddressType: u8,
      scanningFilterPolicy: u8,
    }),
    'le-set-scan-enable': fc.record({
      name: fc.constant('le-set-scan-enable'),
      enable: fc.boolean(),
      filterDuplicates: fc.boolean(),
    }),
    'le-create-connection': fc.record({
      name: fc.constant('le-create-connection'),
      scanInterval: u16,
      scanWindow: u16,
      initiatorFilterPolicy: u8,
      peerAddressType: u8,
      peerAddress: address,
      ownAddressType: u8,
      ...intervalParameters,
    }),
    'le-create-connection-cancel': fc.constant({ name: 'le-create-connection-cancel' }),
    'le-connection-update': fc.record({
      name: fc.constant('le-connection-update'),
      handle,
      ...intervalParameters,
    }),
    'le-rand': fc.constant({ name: 'le-rand' }),
    'le-start-encryption': fc.record({
      name: fc.constant('le-start-encryption'),
      handle,
      rand: bytes(8),
      ediv: u16,
      ltk: bytes(16),
    }),
    'le-long-term-key-request-reply': fc.record({
      name: fc.constant('le-long-term-key-request-reply'),
      handle,
      ltk: bytes(16),
    }),
    'le-long-term-key-request-negative-reply': fc.record({
      name: fc.constant('le-long-term-key-request-negative-reply'),
      handle,
    }),
  };

describe('commands: decode(encode(x)) is x for random field values', () => {
  it.each(COMMAND_NAMES)('%s', (name) => {
    fc.assert(
      fc.property(COMMAND_ARBITRARY[name] as fc.Arbitrary<HciCommand>, (command) => {
        const wire = encodeCommand(command);
        expect(wire[2]).toBe(wire.length - 3);
        expect(decodeCommand(wire)).toEqual({ ok: true, command });
      }),
      { numRuns: 200 },
    );
  });
});

describe('commands: what a Controller answers to a bad packet', () => {
  const failure = (result: CommandDecodeResult) => {
    if (result.ok) throw new Error(`decoded ${JSON.stringify(result.command)}`);
    return result;
  };

  it('an unknown opcode is 0x01 Unknown HCI Command', () => {
    for (const wire of ['00 00 00', '01 fc 02 aa bb', '42 20 00', '03 0d 00']) {
      const result = failure(decodeCommand(octets(wire)));
      expect(result.status).toBe(0x01);
      expect(result.opcode).toBe(octets(wire)[0]! | (octets(wire)[1]! << 8));
      expect(result.message).toMatch(/unknown HCI command opcode/);
    }
    const known = new Set<number>(Object.values(COMMAND_OPCODE));
    fc.assert(
      fc.property(
        u16.filter((op) => !known.has(op)),
        fc.uint8Array({ maxLength: 255 }),
        (op, params) => {
          const result = failure(decodeCommand(Uint8Array.of(op & 0xff, op >> 8, params.length, ...params)));
          expect(result).toMatchObject({ status: 0x01, opcode: op });
        },
      ),
      { numRuns: 1000 },
    );
  });

  it.each(COMMAND_EXAMPLES.map((e) => [e.command.name, e.wire] as const))(
    '%s: one octet more or less is 0x12 Invalid HCI Command Parameters',
    (name, wire) => {
      const good = octets(wire);
      const op = good[0]! | (good[1]! << 8);
      const longer = withLength(Uint8Array.of(...good, 0x00), 2);
      expect(failure(decodeCommand(longer))).toMatchObject({ status: 0x12, opcode: op });
      if (good.length > 3) {
        const shorter = withLength(good.subarray(0, good.length - 1), 2);
        expect(failure(decodeCommand(shorter))).toMatchObject({ status: 0x12, opcode: op });
      }
      // The length octet disagreeing with the packet is 0x12 too, either way.
      expect(failure(decodeCommand(Uint8Array.of(...good, 0x00)))).toMatchObject({
        status: 0x12,
        opcode: op,
      });
      expect(failure(decodeCommand(good.subarray(0, 2)))).toMatchObject({ status: 0x12, opcode: op });
      expect(name).toBe(COMMAND_NAME[op]);
    },
  );

  it('a packet too short for an opcode is 0x12 with opcode 0x0000', () => {
    expect(decodeCommand(new Uint8Array(0))).toMatchObject({ ok: false, status: 0x12, opcode: 0 });
    expect(decodeCommand(Uint8Array.of(0x03))).toMatchObject({ ok: false, status: 0x12, opcode: 0 });
    expect(decodeCommand([3, 12, 0] as unknown as Uint8Array)).toMatchObject({ ok: false, status: 0x12 });
  });

  it('a boolean other than 0 or 1, or advertising data longer than 31, is 0x12', () => {
    expect(decodeCommand(octets('0a 20 01 02'))).toMatchObject({ ok: false, status: 0x12, opcode: 0x200a });
    expect(decodeCommand(octets('0c 20 02 01 02'))).toMatchObject({
      ok: false,
      status: 0x12,
      opcode: 0x200c,
    });
    expect(decodeCommand(octets(`08 20 20 20 ${zeros(31)}`))).toMatchObject({ ok: false, status: 0x12 });
    expect(decodeCommand(octets(`09 20 20 1f ${zeros(31)}`))).toMatchObject({ ok: true });
  });

  it('ignores the reserved upper bits of a Connection_Handle and octets after the significant advertising data', () => {
    expect(decodeCommand(octets('06 04 03 40 f0 13'))).toEqual({
      ok: true,
      command: { name: 'disconnect', handle: 0x0040, reason: 0x13 },
    });
    expect(decodeCommand(octets(`08 20 20 01 aa bb ${zeros(29)}`))).toEqual({
      ok: true,
      command: { name: 'le-set-advertising-data', advertisingData: octets('aa') },
    });
  });

  it('never throws on random octets, and answers only 0x01 or 0x12', () => {
    const check = (data: Uint8Array) => {
      const result = decodeCommand(data);
      if (!result.ok) {
        expect([0x01, 0x12]).toContain(result.status);
        expect(result.message).toBeTypeOf('string');
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), check), { numRuns: 5000 });
    // With a known opcode and a length octet that agrees, so that the parameter checks run.
    const opcodes = Object.values(COMMAND_OPCODE);
    fc.assert(
      fc.property(fc.constantFrom(...opcodes), fc.uint8Array({ maxLength: 40 }), (op, params) =>
        check(Uint8Array.of(op & 0xff, op >> 8, params.length, ...params)),
      ),
      { numRuns: 5000 },
    );
  });
});

describe('commands: encode', () => {
  it.each<[string, HciCommand, RegExp]>([
    ['a handle above 12 bits', { name: 'disconnect', handle: 0x1000, reason: 0x13 }, /handle/],
    ['a reason above one octet', { name: 'disconnect', handle: 1, reason: 0x100 }, /reason/],
    [
      'a fractional interval',
      {
        name: 'le-set-scan-parameters',
        scanType: 0,
        scanInterval: 1.5,
        scanWindow: 1,
        ownAddressType: 0,
        scanningFilterPolicy: 0,
      },
      /scanInterval/,
    ],
    [
      'a 5-octet address',
      { name: 'le-set-random-address', randomAddress: new Uint8Array(5) },
      /randomAddress/,
    ],
    ['a 15-octet LTK', { name: 'le-long-term-key-request-reply', handle: 1, ltk: new Uint8Array(15) }, /ltk/],
    [
      '32 octets of advertising data',
      { name: 'le-set-advertising-data', advertisingData: new Uint8Array(32) },
      /advertisingData/,
    ],
    [
      'a number for a boolean',
      { name: 'le-set-advertising-enable', enable: 1 as unknown as boolean },
      /enable/,
    ],
    ['an unknown name', { name: 'bogus' } as unknown as HciCommand, /unknown command "bogus"/],
  ])('throws TypeError on %s', (_what, command, message) => {
    expect(() => encodeCommand(command)).toThrow(TypeError);
    expect(() => encodeCommand(command)).toThrow(message);
  });

  it('decodes a Buffer into plain Uint8Array copies', () => {
    const buffer = Buffer.from(octets(`1a 20 12 40 00 ${LTK}`));
    const result = decodeCommand(buffer);
    if (!result.ok || result.command.name !== 'le-long-term-key-request-reply')
      throw new Error('not decoded');
    expect(Object.getPrototypeOf(result.command.ltk)).toBe(Uint8Array.prototype);
    buffer.fill(0);
    expect(result.command.ltk).toEqual(octets(LTK));
  });
});

// ------------------------------------------------------------------ events

interface EventExample {
  readonly title: string;
  readonly wire: string;
  readonly event: HciEvent;
}
const complete = (
  numHciCommandPackets: number,
  op: number,
  returnParameters: ReturnParameters,
): HciEvent => ({
  name: 'command-complete',
  numHciCommandPackets,
  opcode: op,
  returnParameters,
});
const EVENT_EXAMPLES: readonly EventExample[] = [
  {
    title: 'Disconnection Complete',
    wire: '05 04 00 40 00 13',
    event: { name: 'disconnection-complete', status: 0, handle: 0x0040, reason: 0x13 },
  },
  {
    title: 'Encryption Change',
    wire: '08 04 00 40 00 01',
    event: { name: 'encryption-change', status: 0, handle: 0x0040, enabled: 1 },
  },
  {
    title: 'Command Complete: Reset',
    wire: '0e 04 01 03 0c 00',
    event: complete(1, 0x0c03, { kind: 'status', status: 0 }),
  },
  {
    title: 'Command Complete: LE Set Scan Enable, Command Disallowed',
    wire: '0e 04 02 0c 20 0c',
    event: complete(2, 0x200c, { kind: 'status', status: 0x0c }),
  },
  {
    title: 'Command Complete: Read BD_ADDR',
    wire: `0e 0a 01 09 10 00 ${ADDRESS}`,
    event: complete(1, 0x1009, { kind: 'read-bd-addr', status: 0, address: octets(ADDRESS) }),
  },
  {
    title: 'Command Complete: Read Local Version Information',
    wire: '0e 0c 01 01 10 00 0b 34 12 0b 5f 00 78 56',
    event: complete(1, 0x1001, {
      kind: 'read-local-version-information',
      status: 0,
      hciVersion: 0x0b,
      hciSubversion: 0x1234,
      lmpVersion: 0x0b,
      companyIdentifier: 0x005f,
      lmpSubversion: 0x5678,
    }),
  },
  {
    title: 'Command Complete: Read Buffer Size',
    wire: '0e 0b 01 05 10 00 fd 03 40 08 00 02 00',
    event: complete(1, 0x1005, {
      kind: 'read-buffer-size',
      status: 0,
      aclDataPacketLength: 0x03fd,
      syncDataPacketLength: 0x40,
      totalNumAclDataPackets: 8,
      totalNumSyncDataPackets: 2,
    }),
  },
  {
    title: 'Command Complete: Read Local Supported Commands (64 octets)',
    wire: '0e 44 01 02 10 00 ff ff ff ff ff ff ff ff 20 00 80 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
    event: complete(1, 0x1002, {
      kind: 'read-local-supported-commands',
      status: 0,
      supportedCommands: octets(
        'ff ff ff ff ff ff ff ff 20 00 80 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      ),
    }),
  },
  {
    title: 'Command Complete: LE Read Filter Accept List Size',
    wire: '0e 05 01 0f 20 00 0c',
    event: complete(1, 0x200f, { kind: 'list-size', status: 0, size: 12 }),
  },
  {
    title: 'Command Complete: LE Read Resolving List Size',
    wire: '0e 05 01 2a 20 00 08',
    event: complete(1, 0x202a, { kind: 'list-size', status: 0, size: 8 }),
  },
  {
    title: 'Command Complete: LE Read Maximum Data Length (251 octets, 2120 us)',
    wire: '0e 0c 01 2f 20 00 fb 00 48 08 fb 00 48 08',
    event: complete(1, 0x202f, {
      kind: 'le-read-maximum-data-length',
      status: 0,
      supportedMaxTxOctets: 251,
      supportedMaxTxTime: 2120,
      supportedMaxRxOctets: 251,
      supportedMaxRxTime: 2120,
    }),
  },
  {
    title: 'Command Complete: LE Read Buffer Size',
    wire: '0e 07 01 02 20 00 fb 00 0f',
    event: complete(1, 0x2002, {
      kind: 'le-read-buffer-size',
      status: 0,
      leAclDataPacketLength: 0x00fb,
      totalNumLeAclDataPackets: 15,
    }),
  },
  {
    title: 'Command Complete: LE Read Local Supported Features',
    wire: '0e 0c 01 03 20 00 ff 49 01 00 00 00 00 00',
    event: complete(1, 0x2003, {
      kind: 'le-read-local-supported-features',
      status: 0,
      leFeatures: octets('ff 49 01 00 00 00 00 00'),
    }),
  },
  {
    title: 'Command Complete: LE Rand',
    wire: '0e 0c 01 18 20 00 12 34 56 78 9a bc de f0',
    event: complete(1, 0x2018, {
      kind: 'le-rand',
      status: 0,
      randomNumber: octets('12 34 56 78 9a bc de f0'),
    }),
  },
  {
    title: 'Command Complete: LE Rand failed, status only',
    wire: '0e 04 01 18 20 01',
    event: complete(1, 0x2018, { kind: 'status', status: 0x01 }),
  },
  {
    title: 'Command Complete: LE Long Term Key Request Reply',
    wire: '0e 06 01 1a 20 00 40 00',
    event: complete(1, 0x201a, { kind: 'connection-handle', status: 0, handle: 0x0040 }),
  },
  {
    title: 'Command Complete: LE Long Term Key Request Negative Reply',
    wire: '0e 06 01 1b 20 02 40 00',
    event: complete(1, 0x201b, { kind: 'connection-handle', status: 0x02, handle: 0x0040 }),
  },
  {
    title: 'Command Complete: an unknown (vendor) opcode keeps its return parameters raw',
    wire: '0e 05 01 01 fc 00 aa',
    event: complete(1, 0xfc01, { kind: 'raw', data: octets('00 aa') }),
  },
  {
    title: 'Command Complete: opcode 0x0000 (no command), as after power-on',
    wire: '0e 03 01 00 00',
    event: complete(1, 0x0000, { kind: 'raw', data: new Uint8Array(0) }),
  },
  {
    title: 'Command Status',
    wire: '0f 04 00 01 0d 20',
    event: { name: 'command-status', status: 0, numHciCommandPackets: 1, opcode: 0x200d },
  },
  { title: 'Hardware Error', wire: '10 01 03', event: { name: 'hardware-error', hardwareCode: 0x03 } },
  {
    title: 'Number Of Completed Packets',
    wire: '13 09 02 40 00 01 00 41 00 02 01',
    event: {
      name: 'number-of-completed-packets',
      completed: [
        { handle: 0x0040, count: 1 },
        { handle: 0x0041, count: 0x0102 },
      ],
    },
  },
  {
    title: 'Encryption Key Refresh Complete',
    wire: '30 03 00 40 00',
    event: { name: 'encryption-key-refresh-complete', status: 0, handle: 0x0040 },
  },
  {
    title: 'LE Connection Complete',
    wire: `3e 13 01 00 40 00 00 01 ${ADDRESS} 18 00 04 00 c8 00 00`,
    event: {
      name: 'le-connection-complete',
      status: 0,
      handle: 0x0040,
      role: 0,
      peerAddressType: 1,
      peerAddress: octets(ADDRESS),
      connectionInterval: 0x0018,
      peripheralLatency: 4,
      supervisionTimeout: 0x00c8,
      centralClockAccuracy: 0,
    },
  },
  {
    title: 'LE Advertising Report, two reports',
    // ADV_IND with Flags, RSSI -59; then an empty SCAN_RSP with RSSI not available (127).
    wire: `3e 19 02 02 00 01 ${ADDRESS} 03 02 01 06 c5 04 01 ${ADDRESS} 00 7f`,
    event: {
      name: 'le-advertising-report',
      reports: [
        { eventType: 0, addressType: 1, address: octets(ADDRESS), data: octets('02 01 06'), rssi: -59 },
        { eventType: 4, addressType: 1, address: octets(ADDRESS), data: new Uint8Array(0), rssi: 127 },
      ],
    },
  },
  {
    title: 'LE Read Remote Features Complete',
    wire: '3e 0c 04 00 41 00 ff 59 01 00 00 00 00 00',
    event: {
      name: 'le-read-remote-features-complete',
      status: 0,
      handle: 0x0041,
      leFeatures: octets('ff 59 01 00 00 00 00 00'),
    },
  },
  {
    title: 'LE Long Term Key Request',
    wire: `3e 0d 05 40 00 ${RAND} 3c 5a`,
    event: { name: 'le-long-term-key-request', handle: 0x0040, rand: octets(RAND), ediv: 0x5a3c },
  },
  {
    title: 'LE Enhanced Connection Complete',
    wire: `3e 1f 0a 00 41 00 01 02 ${ADDRESS} 01 02 03 04 05 4a aa bb cc dd ee 5f 28 00 00 00 f4 01 05`,
    event: {
      name: 'le-enhanced-connection-complete',
      status: 0,
      handle: 0x0041,
      role: 1,
      peerAddressType: 2,
      peerAddress: octets(ADDRESS),
      localRpa: octets('01 02 03 04 05 4a'),
      peerRpa: octets('aa bb cc dd ee 5f'),
      connectionInterval: 0x0028,
      peripheralLatency: 0,
      supervisionTimeout: 0x01f4,
      centralClockAccuracy: 5,
    },
  },
  {
    title: 'an unknown event code (BR/EDR Connection Complete)',
    wire: `03 0b 00 40 00 ${ADDRESS} 01 00`,
    event: { name: 'unknown', code: 0x03, parameters: octets(`00 40 00 ${ADDRESS} 01 00`) },
  },
  {
    title: 'an unknown LE subevent (Channel Selection Algorithm)',
    wire: '3e 04 14 40 00 01',
    event: { name: 'unknown', code: 0x3e, subevent: 0x14, parameters: octets('40 00 01') },
  },
];
const EVENT_NAMES: readonly HciEventName[] = [
  'disconnection-complete',
  'encryption-change',
  'command-complete',
  'command-status',
  'hardware-error',
  'number-of-completed-packets',
  'encryption-key-refresh-complete',
  'le-connection-complete',
  'le-advertising-report',
  'le-read-remote-features-complete',
  'le-long-term-key-request',
  'le-enhanced-connection-complete',
  'unknown',
];
const RETURN_KINDS: readonly ReturnParametersKind[] = [
  'status',
  'read-bd-addr',
  'read-local-version-information',
  'read-local-supported-commands',
  'read-buffer-size',
  'le-read-buffer-size',
  'le-rand',
  'le-read-local-supported-features',
  'list-size',
  'le-read-maximum-data-length',
  'connection-handle',
  'raw',
];
/** What each command returns in Command Complete (Vol 4 Part E 7.x, "Return parameters"). */
const RETURNS: Readonly<Record<HciCommandName, ReturnParametersKind>> = {
  disconnect: 'status',
  'set-event-mask': 'status',
  reset: 'status',
  'read-local-version-information': 'read-local-version-information',
  'read-buffer-size': 'read-buffer-size',
  'read-local-supported-commands': 'read-local-supported-commands',
  'le-read-filter-accept-list-size': 'list-size',
  'le-read-resolving-list-size': 'list-size',
  'le-read-maximum-data-length': 'le-read-maximum-data-length',
  'read-bd-addr': 'read-bd-addr',
  'le-set-event-mask': 'status',
  'le-read-buffer-size': 'le-read-buffer-size',
  'le-read-local-supported-features': 'le-read-local-supported-features',
  'le-connection-update': 'status',
  'le-set-random-address': 'status',
  'le-set-advertising-parameters': 'status',
  'le-set-advertising-data': 'status',
  'le-set-scan-response-data': 'status',
  'le-set-advertising-enable': 'status',
  'le-set-scan-parameters': 'status',
  'le-set-scan-enable': 'status',
  'le-create-connection': 'status',
  'le-create-connection-cancel': 'status',
  'le-rand': 'le-rand',
  'le-read-remote-features': 'status',
  'le-start-encryption': 'status',
  'le-long-term-key-request-reply': 'connection-handle',
  'le-long-term-key-request-negative-reply': 'connection-handle',
};

describe('events: hand-written wire examples', () => {
  it('cover every event and every shape of return parameters', () => {
    expect(new Set(EVENT_EXAMPLES.map((e) => e.event.name))).toEqual(new Set(EVENT_NAMES));
    const kinds = EVENT_EXAMPLES.flatMap((e) =>
      e.event.name === 'command-complete' ? [e.event.returnParameters.kind] : [],
    );
    expect(new Set(kinds)).toEqual(new Set(RETURN_KINDS));
  });
  it.each(EVENT_EXAMPLES.map((e) => [e.title, e] as const))('%s', (_title, { wire, event }) => {
    expect(decodeEvent(octets(wire))).toEqual({ ok: true, event });
    expect(encodeEvent(event)).toEqual(octets(wire));
  });
  it('Command Complete return parameters follow the opcode answered', () => {
    for (const name of COMMAND_NAMES)
      expect(returnParametersKind(COMMAND_OPCODE[name]), name).toBe(RETURNS[name]);
    expect(returnParametersKind(0x0000)).toBe('raw');
    expect(returnParametersKind(0xfc01)).toBe('raw');
  });
});

// ------------------------------------------------------------------ event arbitraries

const status = u8;
const returnArbitrary: {
  readonly [K in ReturnParametersKind]: fc.Arbitrary<Extract<ReturnParameters, { kind: K }>>;
} = {
  status: fc.record({ kind: fc.constant('status'), status }),
  'read-bd-addr': fc.record({ kind: fc.constant('read-bd-addr'), status, address }),
  'read-local-version-information': fc.record({
    kind: fc.constant('read-local-version-information'),
    status,
    hciVersion: u8,
    hciSubversion: u16,
    lmpVersion: u8,
    companyIdentifier: u16,
    lmpSubversion: u16,
  }),
  'read-buffer-size': fc.record({
    kind: fc.constant('read-buffer-size'),
    status,
    aclDataPacketLength: u16,
    syncDataPacketLength: u8,
    totalNumAclDataPackets: u16,
    totalNumSyncDataPackets: u16,
  }),
  'le-read-buffer-size': fc.record({
    kind: fc.constant('le-read-buffer-size'),
    status,
    leAclDataPacketLength: u16,
    totalNumLeAclDataPackets: u8,
  }),
  'le-rand': fc.record({ kind: fc.constant('le-rand'), status, randomNumber: bytes(8) }),
  'le-read-local-supported-features': fc.record({
    kind: fc.constant('le-read-local-supported-features'),
    status,
    leFeatures: bytes(8),
  }),
  'read-local-supported-commands': fc.record({
    kind: fc.constant('read-local-supported-commands'),
    status,
    supportedCommands: bytes(64),
  }),
  'list-size': fc.record({ kind: fc.constant('list-size'), status, size: u8 }),
  'le-read-maximum-data-length': fc.record({
    kind: fc.constant('le-read-maximum-data-length'),
    status,
    supportedMaxTxOctets: u16,
    supportedMaxTxTime: u16,
    supportedMaxRxOctets: u16,
    supportedMaxRxTime: u16,
  }),
  'connection-handle': fc.record({ kind: fc.constant('connection-handle'), status, handle }),
  raw: fc.record({ kind: fc.constant('raw'), data: fc.uint8Array({ maxLength: 252 }) }),
};
const knownOpcodes = new Set<number>(Object.values(COMMAND_OPCODE));
const commandComplete: fc.Arbitrary<HciEvent> = fc.oneof(
  // A known command with the return parameters it defines.
  fc.constantFrom(...COMMAND_NAMES).chain((name) =>
    fc.record({
      name: fc.constant('command-complete' as const),
      numHciCommandPackets: u8,
      opcode: fc.constant(COMMAND_OPCODE[name] as number),
      returnParameters: returnArbitrary[RETURNS[name]] as fc.Arbitrary<ReturnParameters>,
    }),
  ),
  // A known command that failed and returned only its status.
  fc.record({
    name: fc.constant('command-complete' as const),
    numHciCommandPackets: u8,
    opcode: fc.constantFrom(...COMMAND_NAMES).map((name) => COMMAND_OPCODE[name] as number),
    returnParameters: fc.record({
      kind: fc.constant('status' as const),
      status: fc.integer({ min: 1, max: 0xff }),
    }),
  }),
  // An opcode this codec does not know.
  fc.record({
    name: fc.constant('command-complete' as const),
    numHciCommandPackets: u8,
    opcode: u16.filter((op) => !knownOpcodes.has(op)),
    returnParameters: returnArbitrary.raw as fc.Arbitrary<ReturnParameters>,
  }),
);
const connectionFields = {
  status,
  handle,
  role: u8,
  peerAddressType: u8,
  peerAddress: address,
  connectionInterval: u16,
  peripheralLatency: u16,
  supervisionTimeout: u16,
  centralClockAccuracy: u8,
};
const report: fc.Arbitrary<AdvertisingReport> = fc.record({
  eventType: u8,
  addressType: u8,
  address,
  data: fc.uint8Array({ maxLength: 31 }),
  rssi: fc.integer({ min: -128, max: 127 }),
});
/** Up to 25 reports, cut to what fits in 255 parameter octets (subevent, Num_Reports, 10 + data per report). */
const reports = fc.array(report, { minLength: 1, maxLength: 25 }).map((all) => {
  const kept: AdvertisingReport[] = [];
  let size = 2;
  for (const r of all) {
    if (size + 10 + r.data.length > 255) break;
    kept.push(r);
    size += 10 + r.data.length;
  }
  return kept;
});
const knownCodes = new Set<number>(Object.values(HciEventCode));
const knownSubevents = new Set<number>(Object.values(LeSubeventCode));

const EVENT_ARBITRARY: { readonly [N in HciEventName]: fc.Arbitrary<HciEvent> } = {
  'disconnection-complete': fc.record({
    name: fc.constant('disconnection-complete'),
    status,
    handle,
    reason: u8,
  }),
  'encryption-change': fc.record({ name: fc.constant('encryption-change'), status, handle, enabled: u8 }),
  'command-complete': commandComplete,
  'command-status': fc.record({
    name: fc.constant('command-status'),
    status,
    numHciCommandPackets: u8,
    opcode: u16,
  }),
  'hardware-error': fc.record({ name: fc.constant('hardware-error'), hardwareCode: u8 }),
  'number-of-completed-packets': fc.record({
    name: fc.constant('number-of-completed-packets'),
    completed: fc.array(fc.record({ handle, count: u16 }), { maxLength: 63 }),
  }),
  'encryption-key-refresh-complete': fc.record({
    name: fc.constant('encryption-key-refresh-complete'),
    status,
    handle,
  }),
  'le-connection-complete': fc.record({ name: fc.constant('le-connection-complete'), ...connectionFields }),
  'le-advertising-report': fc.record({ name: fc.constant('le-advertising-report'), reports }),
  'le-connection-update-complete': fc.record({
    name: fc.constant('le-connection-update-complete'),
    status,
    handle,
    connectionInterval: u16,
    peripheralLatency: u16,
    supervisionTimeout: u16,
  }),
  'le-read-remote-features-complete': fc.record({
    name: fc.constant('le-read-remote-features-complete'),
    status,
    handle,
    leFeatures: bytes(8),
  }),
  'le-long-term-key-request': fc.record({
    name: fc.constant('le-long-term-key-request'),
    handle,
    rand: bytes(8),
    ediv: u16,
  }),
  'le-enhanced-connection-complete': fc.record({
    name: fc.constant('le-enhanced-connection-complete'),
    ...connectionFields,
    localRpa: address,
    peerRpa: address,
  }),
  unknown: fc.oneof(
    fc.record({
      name: fc.constant('unknown' as const),
      code: u8.filter((code) => !knownCodes.has(code)),
      parameters: fc.uint8Array({ maxLength: 255 }),
    }),
    fc.record({
      name: fc.constant('unknown' as const),
      code: fc.constant(0x3e),
      subevent: u8.filter((sub) => !knownSubevents.has(sub)),
      parameters: fc.uint8Array({ maxLength: 254 }),
    }),
  ),
};

describe('events: decode(encode(x)) is x for random field values', () => {
  it.each(EVENT_NAMES)('%s', (name) => {
    fc.assert(
      fc.property(EVENT_ARBITRARY[name], (event) => {
        const wire = encodeEvent(event);
        expect(wire[1]).toBe(wire.length - 2);
        expect(decodeEvent(wire)).toEqual({ ok: true, event });
      }),
      { numRuns: 300 },
    );
  });
  it.each(RETURN_KINDS)('command-complete returning %s', (kind) => {
    const opcodes =
      kind === 'raw'
        ? [0x0000, 0xfc01, 0x2042]
        : COMMAND_NAMES.filter((n) => RETURNS[n] === kind).map((n) => COMMAND_OPCODE[n]);
    fc.assert(
      fc.property(
        fc.constantFrom(...opcodes),
        u8,
        returnArbitrary[kind] as fc.Arbitrary<ReturnParameters>,
        (op, n, rp) => {
          const event = complete(n, op, rp);
          expect(decodeEvent(encodeEvent(event))).toEqual({ ok: true, event });
        },
      ),
      { numRuns: 200 },
    );
  });
  it('the largest events fit: 25 empty advertising reports, 63 completed-packet pairs', () => {
    const many: HciEvent = {
      name: 'le-advertising-report',
      reports: Array.from({ length: 25 }, (_, i) => ({
        eventType: 0,
        addressType: 0,
        address: new Uint8Array(6).fill(i),
        data: new Uint8Array(0),
        rssi: i - 12,
      })),
    };
    expect(encodeEvent(many)[1]).toBe(252);
    expect(decodeEvent(encodeEvent(many))).toEqual({ ok: true, event: many });
    const pairs: HciEvent = {
      name: 'number-of-completed-packets',
      completed: Array.from({ length: 63 }, (_, i) => ({ handle: i, count: i * 3 })),
    };
    expect(encodeEvent(pairs)[1]).toBe(253);
    expect(decodeEvent(encodeEvent(pairs))).toEqual({ ok: true, event: pairs });
  });
});

describe('events: bad packets', () => {
  /** Known events with a fixed or counted layout: raw return parameters have no length to cut short. */
  const known = EVENT_EXAMPLES.filter(
    (e) =>
      e.event.name !== 'unknown' &&
      !(e.event.name === 'command-complete' && e.event.returnParameters.kind === 'raw'),
  );

  it.each(known.map((e) => [e.title, e.wire] as const))(
    '%s: every truncation is ok:false',
    (_title, wire) => {
      const full = octets(wire);
      for (let end = 2; end < full.length; end++) {
        // With the length octet fixed up: a known event with too few parameters...
        const fixed = decodeEvent(withLength(full.subarray(0, end), 1));
        if (full[0] === 0x0e && end > 5 && full[5] !== 0) {
          // ...except that a failed command may return only its (non-zero) status.
          expect(fixed).toEqual({
            ok: true,
            event: complete(full[2]!, full[3]! | (full[4]! << 8), { kind: 'status', status: full[5]! }),
          });
        } else {
          expect(fixed.ok, `${end - 2} parameter octets`).toBe(false);
        }
        // With the length octet left alone: the packet disagrees with its header.
        expect(decodeEvent(full.subarray(0, end)).ok).toBe(false);
      }
      expect(decodeEvent(full.subarray(0, 1)).ok).toBe(false);
      expect(decodeEvent(new Uint8Array(0)).ok).toBe(false);
    },
  );

  it('Command Complete for an unknown opcode needs only its 3-octet header', () => {
    expect(decodeEvent(octets('0e 03 01 01 fc'))).toEqual({
      ok: true,
      event: complete(1, 0xfc01, { kind: 'raw', data: new Uint8Array(0) }),
    });
    expect(decodeEvent(octets('0e 02 01 01')).ok).toBe(false);
  });

  it('a length octet that disagrees with the packet is ok:false, even for unknown events', () => {
    expect(decodeEvent(octets('ff 02 01'))).toMatchObject({
      ok: false,
      message: expect.stringMatching(/length/),
    });
    expect(decodeEvent(octets('ff 00 01'))).toMatchObject({ ok: false });
    expect(decodeEvent(octets('3e 00'))).toMatchObject({
      ok: false,
      message: expect.stringMatching(/subevent/),
    });
    expect(decodeEvent([0x10, 0x01, 0x03] as unknown as Uint8Array)).toMatchObject({ ok: false });
  });

  it('a successful command returning too little is ok:false; a failed one may return only its status', () => {
    expect(decodeEvent(octets('0e 04 01 09 10 00')).ok).toBe(false); // Read BD_ADDR, success, no address
    expect(decodeEvent(octets('0e 06 01 09 10 0c aa bb'))).toEqual({
      ok: true,
      event: complete(1, 0x1009, { kind: 'status', status: 0x0c }),
    });
    expect(decodeEvent(octets('0e 03 01 03 0c')).ok).toBe(false); // Reset with no status
  });

  it('advertising reports: Num_Reports 0 or above 25, or Data_Length above 31, is ok:false', () => {
    expect(decodeEvent(octets('3e 02 02 00')).ok).toBe(false);
    // 26 reports cannot fit in 255 octets anyway; the count alone is refused.
    expect(decodeEvent(octets('3e 02 02 1a'))).toMatchObject({
      ok: false,
      message: expect.stringMatching(/Num_Reports/),
    });
    expect(decodeEvent(octets(`3e 2c 02 01 00 00 ${ADDRESS} 20 ${zeros(32)} 00`)).ok).toBe(false);
    expect(decodeEvent(octets(`3e 2b 02 01 00 00 ${ADDRESS} 1f ${zeros(31)} 00`)).ok).toBe(true);
  });

  it('ignores octets after the last defined parameter and the reserved bits of handles', () => {
    expect(decodeEvent(octets('05 05 00 40 f0 13 99'))).toEqual({
      ok: true,
      event: { name: 'disconnection-complete', status: 0, handle: 0x0040, reason: 0x13 },
    });
    expect(decodeEvent(octets('0e 05 01 03 0c 00 99'))).toEqual({
      ok: true,
      event: complete(1, 0x0c03, { kind: 'status', status: 0 }),
    });
    expect(decodeEvent(octets('13 06 01 41 30 01 00 99'))).toEqual({
      ok: true,
      event: { name: 'number-of-completed-packets', completed: [{ handle: 0x0041, count: 1 }] },
    });
  });

  it('never throws on random octets', () => {
    const check = (data: Uint8Array) => {
      const result = decodeEvent(data);
      expect(typeof result.ok).toBe('boolean');
      if (!result.ok) expect(result.message).toBeTypeOf('string');
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), check), { numRuns: 5000 });
    // With a known code (and for LE Meta a known subevent) and an agreeing length octet.
    const headed = fc.oneof(
      fc
        .tuple(fc.constantFrom(...knownCodes), fc.uint8Array({ maxLength: 255 }))
        .map(([code, p]) => Uint8Array.of(code, p.length, ...p)),
      fc
        .tuple(fc.constantFrom(...knownSubevents), fc.uint8Array({ maxLength: 254 }))
        .map(([sub, p]) => Uint8Array.of(0x3e, p.length + 1, sub, ...p)),
      fc
        .tuple(fc.constantFrom(...knownOpcodes), fc.uint8Array({ maxLength: 20 }))
        .map(([op, p]) => Uint8Array.of(0x0e, p.length + 3, 1, op & 0xff, op >> 8, ...p)),
    );
    fc.assert(fc.property(headed, check), { numRuns: 5000 });
  });
});

describe('events: encode', () => {
  const bad: ReadonlyArray<readonly [string, HciEvent, RegExp]> = [
    [
      'a handle above 12 bits',
      { name: 'encryption-key-refresh-complete', status: 0, handle: 0x1000 },
      /handle/,
    ],
    [
      'a 7-octet RAND',
      { name: 'le-long-term-key-request', handle: 1, rand: new Uint8Array(7), ediv: 0 },
      /rand/,
    ],
    [
      'raw return parameters for a known opcode',
      complete(1, 0x0c03, { kind: 'raw', data: Uint8Array.of(0) }),
      /returns status, not raw/,
    ],
    [
      'a shape that does not fit the opcode',
      complete(1, 0x1009, { kind: 'le-rand', status: 0, randomNumber: new Uint8Array(8) }),
      /returns read-bd-addr/,
    ],
    [
      'status-only success for a command that returns data',
      complete(1, 0x1009, { kind: 'status', status: 0 }),
      /non-zero status/,
    ],
    [
      'a known event code as unknown',
      { name: 'unknown', code: 0x05, parameters: new Uint8Array(4) },
      /known/,
    ],
    [
      'a known LE subevent as unknown',
      { name: 'unknown', code: 0x3e, subevent: 0x05, parameters: new Uint8Array(12) },
      /known/,
    ],
    [
      'LE Meta without a subevent',
      { name: 'unknown', code: 0x3e, parameters: new Uint8Array(1) },
      /subevent/,
    ],
    [
      'a subevent outside LE Meta',
      { name: 'unknown', code: 0xff, subevent: 1, parameters: new Uint8Array(1) },
      /subevent/,
    ],
    ['256 parameter octets', { name: 'unknown', code: 0xff, parameters: new Uint8Array(256) }, /255/],
    ['no advertising report', { name: 'le-advertising-report', reports: [] }, /1 to 25/],
    [
      '32 octets of report data',
      {
        name: 'le-advertising-report',
        reports: [
          { eventType: 0, addressType: 0, address: new Uint8Array(6), data: new Uint8Array(32), rssi: 0 },
        ],
      },
      /data/,
    ],
    [
      'an RSSI of 128',
      {
        name: 'le-advertising-report',
        reports: [
          { eventType: 0, addressType: 0, address: new Uint8Array(6), data: new Uint8Array(0), rssi: 128 },
        ],
      },
      /rssi/,
    ],
    [
      '64 completed-packet pairs',
      {
        name: 'number-of-completed-packets',
        completed: Array.from({ length: 64 }, () => ({ handle: 1, count: 1 })),
      },
      /63/,
    ],
    ['an unknown name', { name: 'bogus' } as unknown as HciEvent, /unknown event "bogus"/],
  ];
  it.each(bad)('throws TypeError on %s', (_what, event, message) => {
    expect(() => encodeEvent(event)).toThrow(TypeError);
    expect(() => encodeEvent(event)).toThrow(message);
  });

  it('decodes a Buffer into plain Uint8Array copies', () => {
    const buffer = Buffer.from(octets(`3e 0d 05 40 00 ${RAND} 3c 5a`));
    const result = decodeEvent(buffer);
    if (!result.ok || result.event.name !== 'le-long-term-key-request') throw new Error('not decoded');
    expect(Object.getPrototypeOf(result.event.rand)).toBe(Uint8Array.prototype);
    buffer.fill(0);
    expect(result.event.rand).toEqual(octets(RAND));
  });
});
