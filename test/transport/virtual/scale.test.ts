/**
 * Issue 15, item 7: one air holds more connections than its old shared pool
 * of handles allowed (1,920: 3,840 handles, two per connection). Handles are
 * per controller now; 2,400 central/peripheral pairs connect at once, every
 * link's ends have different handles, and a sample of them pairs.
 */
import { describe, expect, it } from 'vitest';
import { nodeBackend } from '../../../src/crypto/backends/node.js';
import { toolbox } from '../../../src/crypto/toolbox.js';
import type { Connection } from '../../../src/host/connection.js';
import { Host } from '../../../src/host/host.js';
import { acceptAll } from '../../../src/smp/delegate.js';
import { VirtualAir } from '../../../src/transport/virtual/air.js';

const CONNECTIONS = 2400;
const crypto = toolbox(nodeBackend);
const addressOf = (i: number) => Uint8Array.of(i & 0xff, (i >> 8) & 0xff, 0x33, 0x22, 0x11, 0xc0);

describe('one air, many connections', () => {
  it(`connects ${CONNECTIONS} pairs at once (past the old limit of 1,920) and pairs a sample`, async () => {
    const air = new VirtualAir();
    const pairs: { central: Host; peripheral: Host; address: Uint8Array }[] = [];
    try {
      for (let i = 0; i < CONNECTIONS; i++) {
        if (i % 200 === 0) await new Promise((resolve) => setImmediate(resolve));
        const address = addressOf(i);
        const [central, peripheral] = await Promise.all([
          Host.open(air.createController(), { delegate: acceptAll, crypto }),
          Host.open(air.createController({ address }), { delegate: acceptAll, crypto }),
        ]);
        pairs.push({ central, peripheral, address });
      }
      const links = await Promise.all(
        pairs.map(async ({ central, peripheral, address }) => {
          const incoming = new Promise<Connection>((resolve) => peripheral.once('connection', resolve));
          await peripheral.startAdvertising();
          const c = await central.connect(address, 0, { timeoutMs: 60_000 });
          return { c, p: await incoming };
        }),
      );
      expect(links).toHaveLength(CONNECTIONS);
      expect(links.filter(({ c, p }) => c.handle === p.handle)).toEqual([]);
      const sample = links.filter((_, i) => i % 240 === 0);
      const results = await Promise.all(sample.map(({ c }) => c.pair()));
      expect(results.map((r) => r.method)).toEqual(sample.map(() => 'sc'));
      // Every controller on the air holds exactly its one link.
      expect(air.controllers.every((controller) => controller.connections().length === 1)).toBe(true);
    } finally {
      await Promise.allSettled(
        pairs.flatMap(({ central, peripheral }) => [central.close(), peripheral.close()]),
      );
    }
  }, 120_000);
});
