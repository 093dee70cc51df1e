/** Two hosts on a virtual air for host tests: a central and a peripheral at a fixed public address. */
import { nodeBackend } from '../../src/crypto/backends/node.js';
import { toolbox } from '../../src/crypto/toolbox.js';
import type { Connection } from '../../src/host/connection.js';
import { Host } from '../../src/host/host.js';
import type { HostOptions } from '../../src/host/host-options.js';
import { acceptAll } from '../../src/smp/delegate.js';
import { VirtualAir } from '../../src/transport/virtual/air.js';

export const tb = toolbox(nodeBackend);
export const PERIPHERAL = Uint8Array.of(0x01, 0x02, 0x03, 0x04, 0x05, 0x06);

/** Opens a central and a peripheral (accepting every prompt) with these options over their defaults. */
export async function virtualHosts(central: HostOptions = {}, peripheral: HostOptions = {}) {
  const air = new VirtualAir();
  const c = await Host.open(air.createController(), { crypto: tb, delegate: acceptAll, ...central });
  const p = await Host.open(air.createController({ address: PERIPHERAL }), {
    crypto: tb,
    delegate: acceptAll,
    ...peripheral,
  });
  return { c, p };
}

/** The peripheral advertises on its current address; the central connects. */
export async function connectHosts(
  central: Host,
  peripheral: Host,
): Promise<{ c: Connection; p: Connection }> {
  const incoming = new Promise<Connection>((resolve) => peripheral.once('connection', resolve));
  await peripheral.startAdvertising();
  const target = peripheral.airAddress;
  const c = await central.connect(target.address, target.type, { timeoutMs: 2000 });
  return { c, p: await incoming };
}
