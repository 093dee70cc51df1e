import { describe, expect, it } from 'vitest';
import { decodeAcl, PacketBoundary } from '../../src/hci/acl.js';
import { encodeL2cap, FixedChannel } from '../../src/hci/l2cap.js';
import type { Connection } from '../../src/host/connection.js';
import { Host } from '../../src/host/host.js';
import { connectionComplete, FakeController } from './fake-controller.js';

const tick = () => new Promise((r) => setTimeout(r, 5));
const PEER = Uint8Array.of(0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0xc0);

async function peripheralHost(
  count = 4,
): Promise<{ fake: FakeController; host: Host; connection: Connection }> {
  const fake = new FakeController(undefined, undefined, count);
  const host = await Host.open(fake);
  const connected = new Promise<Connection>((resolve) => host.on('connection', resolve));
  fake.event(connectionComplete(0x0040, 1, PEER));
  return { fake, host, connection: await connected };
}

/** The L2CAP frames the host sent, reassembled from its ACL packets. */
function framesOut(fake: FakeController): { cid: number; payload: Uint8Array }[] {
  const frames: { cid: number; payload: Uint8Array }[] = [];
  let buffer: number[] = [];
  for (const bytes of fake.acl) {
    const acl = decodeAcl(bytes);
    if (!acl.ok) throw new Error(acl.message);
    if (acl.packet.pb !== PacketBoundary.Continuing) buffer = [];
    buffer.push(...acl.packet.data);
    const length = buffer[0]! | (buffer[1]! << 8);
    if (buffer.length === length + 4) {
      frames.push({ cid: buffer[2]! | (buffer[3]! << 8), payload: Uint8Array.from(buffer.slice(4)) });
    }
  }
  return frames;
}

describe('Host ACL', () => {
  it('reports an incoming connection as a peripheral', async () => {
    const { host, connection } = await peripheralHost();
    expect(connection.role).toBe('peripheral');
    expect(connection.handle).toBe(0x0040);
    expect(host.connections).toHaveLength(1);
    await host.close();
  });

  it('never has more packets in flight than the LE buffer count and fragments to the buffer size', async () => {
    const { fake, host, connection } = await peripheralHost(2);
    host.sendL2cap(connection.handle, FixedChannel.Att, new Uint8Array(100).fill(0x5a)); // 104 octets: 4 packets
    expect(fake.acl).toHaveLength(2);
    for (const bytes of fake.acl) {
      const acl = decodeAcl(bytes);
      expect(acl.ok && acl.packet.data.length <= 27).toBe(true);
    }
    fake.event({ name: 'number-of-completed-packets', completed: [{ handle: 0x0040, count: 1 }] });
    await tick();
    expect(fake.acl).toHaveLength(3);
    fake.event({ name: 'number-of-completed-packets', completed: [{ handle: 0x0040, count: 2 }] });
    await tick();
    expect(fake.acl).toHaveLength(4);
    const sizes = fake.acl.map((b) => b.length - 4);
    expect(sizes).toEqual([27, 27, 27, 23]);
    const frames = framesOut(fake);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.payload).toEqual(new Uint8Array(100).fill(0x5a));
    await host.close();
  });

  it('delivers an SMP PDU that arrives in fragments to the session, which answers it', async () => {
    const { fake, host, connection } = await peripheralHost();
    const phases: string[] = [];
    connection.on('pairing', (phase) => phases.push(phase));
    // Pairing Request: NoInputNoOutput, no OOB, Bonding|MITM|SC, 16 octets, EncKey|IdKey both ways.
    const frame = encodeL2cap(FixedChannel.Smp, Uint8Array.of(0x01, 0x03, 0x00, 0x0d, 0x10, 0x03, 0x03));
    fake.aclIn(0x0040, PacketBoundary.FirstFlushable, frame.subarray(0, 3));
    fake.aclIn(0x0040, PacketBoundary.Continuing, frame.subarray(3, 6));
    fake.aclIn(0x0040, PacketBoundary.Continuing, frame.subarray(6));
    await tick();
    const smp = framesOut(fake).filter((f) => f.cid === FixedChannel.Smp);
    expect(smp).toHaveLength(1);
    expect(smp[0]!.payload[0]).toBe(0x02); // Pairing Response
    expect(phases).toContain('secure-connections');
    await host.close();
  });

  it('answers LE signalling and ATT requests on a link with no server', async () => {
    const { fake, host } = await peripheralHost();
    // Connection Parameter Update Request sent to a peripheral: Command Reject, not understood.
    const update = Uint8Array.of(0x12, 0x07, 0x08, 0x00, 0x18, 0x00, 0x28, 0x00, 0x00, 0x00, 0x48, 0x00);
    fake.aclIn(0x0040, PacketBoundary.FirstFlushable, encodeL2cap(FixedChannel.LeSignalling, update));
    // Exchange MTU Request, then a Write Command (no answer).
    fake.aclIn(
      0x0040,
      PacketBoundary.FirstFlushable,
      encodeL2cap(FixedChannel.Att, Uint8Array.of(0x02, 0x17, 0x00)),
    );
    fake.aclIn(
      0x0040,
      PacketBoundary.FirstFlushable,
      encodeL2cap(FixedChannel.Att, Uint8Array.of(0x52, 0x03, 0x00, 1)),
    );
    await tick();
    const frames = framesOut(fake);
    expect(frames).toEqual([
      { cid: FixedChannel.LeSignalling, payload: Uint8Array.of(0x01, 0x07, 0x02, 0x00, 0x00, 0x00) },
      { cid: FixedChannel.Att, payload: Uint8Array.of(0x01, 0x02, 0x00, 0x00, 0x06) },
    ]);
    await host.close();
  });

  it('rejects connect() on timeout and cancels the attempt', async () => {
    const fake = new FakeController();
    const host = await Host.open(fake);
    const error = await host.connect('c0:00:00:00:00:01', 1, { timeoutMs: 20 }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('could not connect to c0:00:00:00:00:01 within 20 ms');
    await tick();
    expect(fake.commandNames.slice(-2)).toEqual(['le-create-connection', 'le-create-connection-cancel']);
    await host.close();
  });
});
