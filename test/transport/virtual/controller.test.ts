import { describe, expect, it } from 'vitest';
import { fragment, PacketBoundary } from '../../../src/hci/acl.js';
import { HciErrorCode, HciOpcode } from '../../../src/hci/constants.js';
import { encodeL2cap, FixedChannel, L2capReassembler } from '../../../src/hci/l2cap.js';
import { hasCommand } from '../../../src/hci/supported-commands.js';
import { TransportError } from '../../../src/transport/transport.js';
import {
  CONTROLLER_PROFILES,
  VirtualAir,
  VirtualHardwareCode,
} from '../../../src/transport/virtual/index.js';
import { ADV_IND, createConnection, settle, TestHost } from './host.js';

const CENTRAL_ADDRESS = Uint8Array.of(0x01, 0x00, 0x00, 0x00, 0x00, 0xc0);
const PERIPHERAL_ADDRESS = Uint8Array.of(0x02, 0x00, 0x00, 0x00, 0x00, 0xc0);
const LTK = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
const OTHER_LTK = Uint8Array.from({ length: 16 }, (_, i) => 0xf0 - i);
const RAND = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);

function pair(options: { aclBufferSize?: number; aclBufferCount?: number } = {}) {
  const air = new VirtualAir();
  const centralController = air.createController({ address: CENTRAL_ADDRESS, ...options });
  const peripheralController = air.createController({ address: PERIPHERAL_ADDRESS, ...options });
  return {
    air,
    centralController,
    peripheralController,
    central: new TestHost(centralController),
    peripheral: new TestHost(peripheralController),
  };
}

/** Two controllers, connected: the first is Central, the second Peripheral. */
async function connected(options: { aclBufferSize?: number; aclBufferCount?: number } = {}) {
  const setup = pair(options);
  const { central, peripheral } = setup;
  expect(await peripheral.status(ADV_IND)).toBe(0);
  expect(await peripheral.status({ name: 'le-set-advertising-enable', enable: true })).toBe(0);
  expect(await central.status(createConnection(PERIPHERAL_ADDRESS))).toBe(0);
  const c = await central.next('le-connection-complete');
  const p = await peripheral.next('le-connection-complete');
  return { ...setup, c, p };
}

/** Starts encryption from the Central and returns the Peripheral's LTK request. */
async function startEncryption(setup: Awaited<ReturnType<typeof connected>>, ltk = LTK) {
  const answer = await setup.central.command({
    name: 'le-start-encryption',
    handle: setup.c.handle,
    rand: RAND,
    ediv: 0x1234,
    ltk,
  });
  expect(answer).toMatchObject({ name: 'command-status', status: 0 });
  return setup.peripheral.next('le-long-term-key-request');
}

describe('virtual controller: basic commands', () => {
  it('answers Reset and Read BD_ADDR', async () => {
    const { central } = pair();
    expect(await central.complete({ name: 'reset' })).toEqual({
      name: 'command-complete',
      numHciCommandPackets: 1,
      opcode: HciOpcode.Reset,
      returnParameters: { kind: 'status', status: 0 },
    });
    const bdAddr = await central.complete({ name: 'read-bd-addr' });
    expect(bdAddr.returnParameters).toEqual({ kind: 'read-bd-addr', status: 0, address: CENTRAL_ADDRESS });
  });

  it('answers Read Local Version, the buffer sizes and the event masks', async () => {
    const { central } = pair({ aclBufferSize: 251, aclBufferCount: 7 });
    const version = await central.complete({ name: 'read-local-version-information' });
    expect(version.returnParameters).toMatchObject({ kind: 'read-local-version-information', status: 0 });
    expect((await central.complete({ name: 'le-read-buffer-size' })).returnParameters).toEqual({
      kind: 'le-read-buffer-size',
      status: 0,
      leAclDataPacketLength: 251,
      totalNumLeAclDataPackets: 7,
    });
    expect((await central.complete({ name: 'read-buffer-size' })).returnParameters).toMatchObject({
      aclDataPacketLength: 251,
      totalNumAclDataPackets: 7,
    });
    const mask = Uint8Array.of(0xff, 0xff, 0xfb, 0xff, 0x07, 0xf8, 0xbf, 0x3d);
    expect(await central.status({ name: 'set-event-mask', eventMask: mask })).toBe(0);
    expect(
      await central.status({
        name: 'le-set-event-mask',
        leEventMask: Uint8Array.of(0x1f, 0, 0, 0, 0, 0, 0, 0),
      }),
    ).toBe(0);
  });

  it('defaults to 27-octet buffers, 4 of them', async () => {
    const { central } = pair();
    expect((await central.complete({ name: 'le-read-buffer-size' })).returnParameters).toMatchObject({
      leAclDataPacketLength: 27,
      totalNumLeAclDataPackets: 4,
    });
  });

  it('answers an unknown opcode with 0x01 and bad parameters with 0x12', async () => {
    const { central } = pair();
    const unknown = await central.raw(Uint8Array.of(0x42, 0x20, 0x00));
    expect(unknown).toMatchObject({ name: 'command-complete', opcode: 0x2042 });
    expect(unknown.name === 'command-complete' && unknown.returnParameters).toEqual({
      kind: 'raw',
      data: Uint8Array.of(HciErrorCode.UnknownHciCommand),
    });
    const bad = await central.raw(Uint8Array.of(0x03, 0x0c, 0x01, 0x00)); // Reset with a parameter
    expect(bad.name === 'command-complete' && bad.returnParameters).toEqual({
      kind: 'status',
      status: HciErrorCode.InvalidHciCommandParameters,
    });
  });

  it('answers the list sizes a profile knows, lists them, and refuses them without one', async () => {
    const air = new VirtualAir();
    const plain = new TestHost(air.createController());
    const intel = new TestHost(air.createController({ profile: CONTROLLER_PROFILES['intel-5.1']! }));
    const listed = async (host: TestHost) => {
      const answer = await host.complete({ name: 'read-local-supported-commands' });
      const rp = answer.name === 'command-complete' ? answer.returnParameters : undefined;
      if (rp?.kind !== 'read-local-supported-commands') throw new Error('no command list');
      return ['LE Read Accept List Size', 'LE Read Resolving List Size', 'LE Read Maximum Data Length'].map(
        (row) => hasCommand(rp.supportedCommands, row),
      );
    };
    expect(await listed(plain)).toEqual([false, false, false]);
    expect(await plain.complete({ name: 'le-read-filter-accept-list-size' })).toMatchObject({
      returnParameters: { status: HciErrorCode.UnknownHciCommand },
    });
    // The Intel 5.1 capture lists both list sizes (25 each) and its controller answers them.
    expect(await listed(intel)).toEqual([true, true, false]);
    expect(await intel.complete({ name: 'le-read-filter-accept-list-size' })).toMatchObject({
      returnParameters: { kind: 'list-size', status: 0, size: 25 },
    });
    expect(await intel.complete({ name: 'le-read-resolving-list-size' })).toMatchObject({
      returnParameters: { kind: 'list-size', status: 0, size: 25 },
    });
    expect(await intel.complete({ name: 'le-read-maximum-data-length' })).toMatchObject({
      returnParameters: { status: HciErrorCode.UnknownHciCommand },
    });
  });

  it('raises a Hardware Error when the host ignores Num_HCI_Command_Packets = 1', async () => {
    const { central, centralController } = pair();
    const first = central.command({ name: 'reset' });
    centralController.send({ type: 'command', data: Uint8Array.of(0x03, 0x0c, 0x00) });
    expect(await first).toMatchObject({ opcode: HciOpcode.Reset });
    expect(await central.next('hardware-error')).toEqual({
      name: 'hardware-error',
      hardwareCode: VirtualHardwareCode.CommandOverflow,
    });
    await settle();
    expect(central.seen('command-complete')).toHaveLength(1);
  });

  it('delivers answers asynchronously, never from inside send', () => {
    const { centralController } = pair();
    let heard = 0;
    centralController.onPacket(() => heard++);
    centralController.send({ type: 'command', data: Uint8Array.of(0x03, 0x0c, 0x00) });
    expect(heard).toBe(0);
  });

  it('gives 8 random octets from LE Rand, different each time', async () => {
    const { central } = pair();
    const draw = async () => {
      const rp = (await central.complete({ name: 'le-rand' })).returnParameters;
      if (rp.kind !== 'le-rand') throw new Error(rp.kind);
      return rp.randomNumber;
    };
    const a = await draw();
    const b = await draw();
    expect(a).toHaveLength(8);
    expect(b).toHaveLength(8);
    expect(a).not.toEqual(b);
  });
});

describe('virtual controller: advertising and scanning', () => {
  it('reports an advertiser to a scanner with its address, type and data', async () => {
    const { central, peripheral } = pair();
    const data = Uint8Array.of(0x02, 0x01, 0x06, 0x05, 0x09, 0x74, 0x65, 0x73, 0x74);
    expect(await peripheral.status(ADV_IND)).toBe(0);
    expect(await peripheral.status({ name: 'le-set-advertising-data', advertisingData: data })).toBe(0);
    expect(await peripheral.status({ name: 'le-set-advertising-enable', enable: true })).toBe(0);
    expect(await central.status({ name: 'le-set-scan-enable', enable: true, filterDuplicates: false })).toBe(
      0,
    );
    const report = await central.next('le-advertising-report');
    expect(report.reports).toEqual([
      { eventType: 0x00, addressType: 0x00, address: PERIPHERAL_ADDRESS, data, rssi: -40 },
    ]);
  });

  it('adds a scan response to an active scan, and reports a random address', async () => {
    const { central, peripheral } = pair();
    const random = Uint8Array.of(0x11, 0x22, 0x33, 0x44, 0x55, 0xc6);
    expect(await peripheral.status({ name: 'le-set-random-address', randomAddress: random })).toBe(0);
    expect(await peripheral.status({ ...ADV_IND, ownAddressType: 0x01 } as typeof ADV_IND)).toBe(0);
    const response = Uint8Array.of(0x03, 0x09, 0x68, 0x69);
    expect(await peripheral.status({ name: 'le-set-scan-response-data', scanResponseData: response })).toBe(
      0,
    );
    expect(
      await central.status({
        name: 'le-set-scan-parameters',
        scanType: 0x01,
        scanInterval: 0x10,
        scanWindow: 0x10,
        ownAddressType: 0,
        scanningFilterPolicy: 0,
      }),
    ).toBe(0);
    expect(await central.status({ name: 'le-set-scan-enable', enable: true, filterDuplicates: true })).toBe(
      0,
    );
    expect(await peripheral.status({ name: 'le-set-advertising-enable', enable: true })).toBe(0);
    const report = await central.next('le-advertising-report');
    expect(report.reports.map((r) => [r.eventType, r.addressType, r.address, r.data])).toEqual([
      [0x00, 0x01, random, new Uint8Array(0)],
      [0x04, 0x01, random, response],
    ]);
  });

  it('refuses advertising from a random address that was never set', async () => {
    const { peripheral } = pair();
    expect(await peripheral.status({ ...ADV_IND, ownAddressType: 0x01 } as typeof ADV_IND)).toBe(0);
    expect(await peripheral.status({ name: 'le-set-advertising-enable', enable: true })).toBe(
      HciErrorCode.InvalidHciCommandParameters,
    );
  });

  it('rejects out-of-range advertising parameters and changes while advertising', async () => {
    const { peripheral } = pair();
    expect(await peripheral.status({ ...ADV_IND, advertisingIntervalMin: 0x10 } as typeof ADV_IND)).toBe(
      HciErrorCode.InvalidHciCommandParameters,
    );
    expect(await peripheral.status({ name: 'le-set-advertising-enable', enable: true })).toBe(0);
    expect(await peripheral.status(ADV_IND)).toBe(HciErrorCode.CommandDisallowed);
  });
});

describe('virtual controller: connections', () => {
  it('gives LE Connection Complete on both sides with the right roles', async () => {
    const { c, p, peripheralController, centralController } = await connected();
    expect(c).toMatchObject({ status: 0, role: 0x00, peerAddressType: 0, peerAddress: PERIPHERAL_ADDRESS });
    expect(p).toMatchObject({ status: 0, role: 0x01, peerAddressType: 0, peerAddress: CENTRAL_ADDRESS });
    expect(c.handle).not.toBe(p.handle);
    expect(c.connectionInterval).toBe(0x0018);
    expect(c.supervisionTimeout).toBe(0x01f4);
    expect(peripheralController.advertising).toBe(false);
    expect(centralController.connections()).toMatchObject([{ handle: c.handle, role: 0, encrypted: false }]);
  });

  it('waits for the advertiser when it is not advertising yet', async () => {
    const { central, peripheral } = pair();
    expect(await central.status(createConnection(PERIPHERAL_ADDRESS))).toBe(0);
    await settle();
    expect(central.seen('le-connection-complete')).toHaveLength(0);
    expect(await peripheral.status(ADV_IND)).toBe(0);
    expect(await peripheral.status({ name: 'le-set-advertising-enable', enable: true })).toBe(0);
    expect(await central.next('le-connection-complete')).toMatchObject({ status: 0, role: 0 });
    expect(await peripheral.next('le-connection-complete')).toMatchObject({ status: 0, role: 1 });
  });

  it('does not connect to non-connectable advertising', async () => {
    const { central, peripheral } = pair();
    expect(await peripheral.status({ ...ADV_IND, advertisingType: 0x03 } as typeof ADV_IND)).toBe(0);
    expect(await peripheral.status({ name: 'le-set-advertising-enable', enable: true })).toBe(0);
    expect(await central.status(createConnection(PERIPHERAL_ADDRESS))).toBe(0);
    await settle();
    expect(central.seen('le-connection-complete')).toHaveLength(0);
  });

  it('cancels a pending connection with status 0x02, and refuses a cancel with nothing pending', async () => {
    const { central } = pair();
    expect(await central.status({ name: 'le-create-connection-cancel' })).toBe(
      HciErrorCode.CommandDisallowed,
    );
    expect(await central.status(createConnection(PERIPHERAL_ADDRESS))).toBe(0);
    expect(await central.status(createConnection(PERIPHERAL_ADDRESS))).toBe(HciErrorCode.CommandDisallowed);
    expect(await central.status({ name: 'le-create-connection-cancel' })).toBe(0);
    expect(await central.next('le-connection-complete')).toMatchObject({
      status: HciErrorCode.UnknownConnectionIdentifier,
    });
  });

  it('ends a link with Disconnection Complete on both sides', async () => {
    const { central, peripheral, c, p, centralController } = await connected();
    const answer = await central.command({ name: 'disconnect', handle: c.handle, reason: 0x13 });
    expect(answer).toMatchObject({ name: 'command-status', status: 0 });
    expect(await central.next('disconnection-complete')).toEqual({
      name: 'disconnection-complete',
      status: 0,
      handle: c.handle,
      reason: HciErrorCode.ConnectionTerminatedByLocalHost,
    });
    expect(await peripheral.next('disconnection-complete')).toEqual({
      name: 'disconnection-complete',
      status: 0,
      handle: p.handle,
      reason: 0x13,
    });
    expect(centralController.connections()).toEqual([]);
    expect(await central.status({ name: 'disconnect', handle: c.handle, reason: 0x13 })).toBe(
      HciErrorCode.UnknownConnectionIdentifier,
    );
  });

  it('refuses a disconnect reason HCI_Disconnect does not allow', async () => {
    const { central, c } = await connected();
    expect(await central.status({ name: 'disconnect', handle: c.handle, reason: 0x16 })).toBe(
      HciErrorCode.InvalidHciCommandParameters,
    );
  });

  it('tells the peer 0x08 when a controller closes, and refuses sends after close', async () => {
    const { peripheral, centralController, p } = await connected();
    await centralController.close();
    expect(await peripheral.next('disconnection-complete')).toMatchObject({
      handle: p.handle,
      reason: HciErrorCode.ConnectionTimeout,
    });
    expect(() => centralController.send({ type: 'command', data: Uint8Array.of(0x03, 0x0c, 0x00) })).toThrow(
      TransportError,
    );
  });
});

describe('virtual controller: ACL data', () => {
  it('relays a packet to the peer and answers Number of Completed Packets', async () => {
    const { central, peripheral, c, p, centralController } = await connected();
    const payload = Uint8Array.of(0x03, 0x00, 0x04, 0x00, 0x0a, 0x01, 0x00);
    central.sendAcl(c.handle, PacketBoundary.FirstNonFlushable, payload);
    expect(centralController.aclBuffersInUse).toBe(1);
    expect(await central.next('number-of-completed-packets')).toEqual({
      name: 'number-of-completed-packets',
      completed: [{ handle: c.handle, count: 1 }],
    });
    expect(centralController.aclBuffersInUse).toBe(0);
    // On LE a controller hands its host first packets as 0b10 (Vol 4 Part E 5.4.2).
    expect(peripheral.acl).toEqual([
      { handle: p.handle, pb: PacketBoundary.FirstFlushable, bc: 0, data: payload },
    ]);
  });

  it('carries a 69-octet L2CAP frame sent as 27-octet fragments intact', async () => {
    const { central, peripheral, c, p } = await connected();
    const smp = Uint8Array.from({ length: 65 }, (_, i) => (i * 7 + 3) & 0xff);
    const frame = encodeL2cap(FixedChannel.Smp, smp);
    expect(frame).toHaveLength(69);
    const packets = fragment(c.handle, frame, 27);
    expect(packets).toHaveLength(3);
    for (const packet of packets) central.transport.send({ type: 'acl', data: packet });
    await settle();
    expect(central.seen('number-of-completed-packets').flatMap((e) => e.completed)).toEqual([
      { handle: c.handle, count: 1 },
      { handle: c.handle, count: 1 },
      { handle: c.handle, count: 1 },
    ]);
    expect(peripheral.acl.map((a) => a.data.length)).toEqual([27, 27, 15]);
    const reassembler = new L2capReassembler();
    let result: ReturnType<L2capReassembler['push']> | undefined;
    for (const packet of peripheral.acl) {
      expect(packet.handle).toBe(p.handle);
      result = reassembler.push(packet.pb, packet.data);
    }
    expect(result).toEqual({ ok: true, frame: { cid: FixedChannel.Smp, payload: smp } });
  });

  it('refuses an ACL packet longer than the buffer size with a Hardware Error', async () => {
    const { central, peripheral, c, centralController } = await connected();
    central.sendAcl(c.handle, PacketBoundary.FirstNonFlushable, new Uint8Array(28));
    expect(await central.next('hardware-error')).toEqual({
      name: 'hardware-error',
      hardwareCode: VirtualHardwareCode.AclTooLong,
    });
    await settle();
    expect(peripheral.acl).toEqual([]);
    expect(central.seen('number-of-completed-packets')).toEqual([]);
    expect(centralController.aclBuffersInUse).toBe(0);
  });

  it('refuses an ACL packet beyond the credits with a Hardware Error', async () => {
    const { central, peripheral, c } = await connected({ aclBufferCount: 2 });
    for (let i = 0; i < 3; i++) central.sendAcl(c.handle, PacketBoundary.Continuing, Uint8Array.of(i));
    expect(await central.next('hardware-error')).toMatchObject({
      hardwareCode: VirtualHardwareCode.AclBufferOverflow,
    });
    await settle();
    expect(peripheral.acl.map((a) => a.data[0])).toEqual([0, 1]);
    expect(central.seen('number-of-completed-packets')).toHaveLength(2);
  });

  it('refuses malformed ACL packets', async () => {
    const { central, c } = await connected();
    central.transport.send({ type: 'acl', data: Uint8Array.of(0x40, 0x00, 0x05, 0x00, 0x01) });
    expect(await central.next('hardware-error')).toMatchObject({
      hardwareCode: VirtualHardwareCode.MalformedAcl,
    });
    central.sendAcl(c.handle, PacketBoundary.Complete, Uint8Array.of(1));
    expect(await central.next('hardware-error')).toMatchObject({
      hardwareCode: VirtualHardwareCode.MalformedAcl,
    });
  });

  it('frees the buffers of a link that ends, without Number of Completed Packets', async () => {
    const { central, peripheral, c, centralController } = await connected();
    central.sendAcl(c.handle, PacketBoundary.FirstNonFlushable, Uint8Array.of(1, 2, 3));
    expect(await central.status({ name: 'disconnect', handle: c.handle, reason: 0x13 })).toBe(0);
    await settle();
    // The data sent before the disconnection still reaches the peer, ahead of its Disconnection Complete.
    expect(peripheral.acl).toHaveLength(1);
    expect(central.seen('number-of-completed-packets')).toEqual([]);
    expect(centralController.aclBuffersInUse).toBe(0);
  });
});

describe('virtual controller: encryption', () => {
  it('encrypts both sides when the keys match', async () => {
    const setup = await connected();
    const request = await startEncryption(setup);
    expect(request).toEqual({
      name: 'le-long-term-key-request',
      handle: setup.p.handle,
      rand: RAND,
      ediv: 0x1234,
    });
    const reply = await setup.peripheral.complete({
      name: 'le-long-term-key-request-reply',
      handle: setup.p.handle,
      ltk: LTK,
    });
    expect(reply.returnParameters).toEqual({ kind: 'connection-handle', status: 0, handle: setup.p.handle });
    expect(await setup.central.next('encryption-change')).toEqual({
      name: 'encryption-change',
      status: 0,
      handle: setup.c.handle,
      enabled: 1,
    });
    expect(await setup.peripheral.next('encryption-change')).toEqual({
      name: 'encryption-change',
      status: 0,
      handle: setup.p.handle,
      enabled: 1,
    });
    expect(setup.centralController.connections()[0]?.encrypted).toBe(true);
    expect(setup.peripheralController.connections()[0]?.encrypted).toBe(true);
  });

  it('ends the link with 0x3D MIC failure on both sides when the keys differ', async () => {
    const setup = await connected();
    await startEncryption(setup);
    expect(
      await setup.peripheral.status({
        name: 'le-long-term-key-request-reply',
        handle: setup.p.handle,
        ltk: OTHER_LTK,
      }),
    ).toBe(0);
    expect(await setup.central.next('disconnection-complete')).toMatchObject({
      handle: setup.c.handle,
      reason: HciErrorCode.ConnectionTerminatedMicFailure,
    });
    expect(await setup.peripheral.next('disconnection-complete')).toMatchObject({
      handle: setup.p.handle,
      reason: HciErrorCode.ConnectionTerminatedMicFailure,
    });
    await settle();
    expect(setup.central.seen('encryption-change')).toEqual([]);
    expect(setup.centralController.connections()).toEqual([]);
  });

  it('reports 0x06 PIN or Key Missing to the Central on a negative reply', async () => {
    const setup = await connected();
    await startEncryption(setup);
    const reply = await setup.peripheral.complete({
      name: 'le-long-term-key-request-negative-reply',
      handle: setup.p.handle,
    });
    expect(reply.returnParameters).toEqual({ kind: 'connection-handle', status: 0, handle: setup.p.handle });
    expect(await setup.central.next('encryption-change')).toEqual({
      name: 'encryption-change',
      status: HciErrorCode.PinOrKeyMissing,
      handle: setup.c.handle,
      enabled: 0,
    });
    await settle();
    expect(setup.peripheral.seen('encryption-change')).toEqual([]);
    expect(setup.centralController.connections()[0]?.encrypted).toBe(false);
  });

  it('raises Encryption Key Refresh Complete when an encrypted link is encrypted again', async () => {
    const setup = await connected();
    await startEncryption(setup);
    await setup.peripheral.complete({
      name: 'le-long-term-key-request-reply',
      handle: setup.p.handle,
      ltk: LTK,
    });
    await setup.central.next('encryption-change');
    await setup.peripheral.next('encryption-change');
    await startEncryption(setup, OTHER_LTK);
    await setup.peripheral.complete({
      name: 'le-long-term-key-request-reply',
      handle: setup.p.handle,
      ltk: OTHER_LTK,
    });
    expect(await setup.central.next('encryption-key-refresh-complete')).toEqual({
      name: 'encryption-key-refresh-complete',
      status: 0,
      handle: setup.c.handle,
    });
    expect(await setup.peripheral.next('encryption-key-refresh-complete')).toEqual({
      name: 'encryption-key-refresh-complete',
      status: 0,
      handle: setup.p.handle,
    });
    await settle();
    expect(setup.central.seen('encryption-change')).toHaveLength(1);
  });

  it('lets only the Central start encryption, and only answers a pending request', async () => {
    const setup = await connected();
    const fromPeripheral = await setup.peripheral.command({
      name: 'le-start-encryption',
      handle: setup.p.handle,
      rand: RAND,
      ediv: 0,
      ltk: LTK,
    });
    expect(fromPeripheral).toMatchObject({ name: 'command-status', status: HciErrorCode.CommandDisallowed });
    expect(
      await setup.peripheral.status({
        name: 'le-long-term-key-request-reply',
        handle: setup.p.handle,
        ltk: LTK,
      }),
    ).toBe(HciErrorCode.CommandDisallowed);
    expect(
      await setup.central.status({
        name: 'le-start-encryption',
        handle: 0x0eff,
        rand: RAND,
        ediv: 0,
        ltk: LTK,
      }),
    ).toBe(HciErrorCode.UnknownConnectionIdentifier);
  });
});
