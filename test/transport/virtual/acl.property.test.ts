/** Property: any L2CAP frame, fragmented to any legal buffer size and sent within the credits, arrives intact. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fragment } from '../../../src/hci/acl.js';
import { encodeL2cap, L2capReassembler } from '../../../src/hci/l2cap.js';
import { VirtualAir } from '../../../src/transport/virtual/index.js';
import { ADV_IND, createConnection, settle, TestHost } from './host.js';

describe('virtual controller: ACL relay (property)', () => {
  it('delivers every frame intact and returns every credit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 0, maxLength: 400 }),
        fc.integer({ min: 27, max: 80 }),
        fc.integer({ min: 1, max: 5 }),
        async (payload, bufferSize, bufferCount) => {
          const air = new VirtualAir();
          const peripheralAddress = Uint8Array.of(9, 9, 9, 9, 9, 0xc0);
          const central = new TestHost(
            air.createController({ aclBufferSize: bufferSize, aclBufferCount: bufferCount }),
          );
          const peripheral = new TestHost(air.createController({ address: peripheralAddress }));
          await peripheral.status(ADV_IND);
          await peripheral.status({ name: 'le-set-advertising-enable', enable: true });
          await central.status(createConnection(peripheralAddress));
          const { handle } = await central.next('le-connection-complete');
          const frame = encodeL2cap(0x0006, payload);
          const packets = fragment(handle, frame, bufferSize);
          // Send within the credits: a window of bufferCount packets, then wait for them to complete.
          for (let i = 0; i < packets.length; i += bufferCount) {
            for (const packet of packets.slice(i, i + bufferCount))
              central.transport.send({ type: 'acl', data: packet });
            await settle();
          }
          expect(central.seen('hardware-error')).toEqual([]);
          const completed = central
            .seen('number-of-completed-packets')
            .reduce((n, e) => n + e.completed[0]!.count, 0);
          expect(completed).toBe(packets.length);
          const reassembler = new L2capReassembler();
          const frames = peripheral.acl
            .map((a) => reassembler.push(a.pb, a.data))
            .filter((r) => r.ok && r.frame);
          expect(frames).toEqual([{ ok: true, frame: { cid: 0x0006, payload } }]);
        },
      ),
      { numRuns: 100 },
    );
  });
});
