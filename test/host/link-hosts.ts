import type { Connection } from '../../src/host/connection.js';
import type { Host } from '../../src/host/host.js';
import type { TestAir } from './fake-controller.js';

/** Connects host `a` (central) to host `b` (peripheral, advertising) over a test air. */
export async function link(
  air: TestAir,
  a: Host,
  b: Host,
): Promise<{ central: Connection; peripheral: Connection }> {
  const incoming = new Promise<Connection>((resolve) => b.once('connection', resolve));
  await b.startAdvertising();
  const central = await a.connect(air.b.address, 0, { timeoutMs: 1000 });
  return { central, peripheral: await incoming };
}
