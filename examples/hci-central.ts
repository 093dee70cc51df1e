/**
 * A central that connects to a device and pairs with it, on a Raspberry Pi's
 * adapter (prepare it as docs/raspberry-pi.md says), or on any other transport.
 *
 *   npx tsx examples/hci-central.ts hci0 d2:a7:4c:76:f3:e0 random
 */
import { Host, openTransport, type Transport } from 'ble-smp';
import { fixedAnswers, IoCapability, type PairingResult } from 'ble-smp/smp';

/** Connects to `peer` (address as printed, and its type) and pairs by Secure Connections; closes the host after. */
export async function pairWithDevice(
  transport: Transport,
  peer: string,
  type: 0 | 1,
): Promise<PairingResult> {
  const host = await Host.open(transport, {
    policy: { ioCapability: IoCapability.DisplayYesNo }, // we can show a number and take yes/no
    delegate: fixedAnswers({
      confirmNumber: true,
      onShown: (kind, value) => console.log(`${kind}: ${value}`),
    }),
  });
  try {
    const connection = await host.connect(peer, type, { timeoutMs: 10_000 });
    return await connection.pair();
  } finally {
    await host.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [spec = 'hci0', peer = '', type = 'public'] = process.argv.slice(2);
  const result = await pairWithDevice(await openTransport(spec), peer, type === 'random' ? 1 : 0);
  console.log(`paired: ${result.model}, ${result.keySize}-octet key, authenticated: ${result.authenticated}`);
}
