/**
 * A peripheral that advertises and accepts pairing from the first central to
 * connect, on a Raspberry Pi's adapter or any other transport.
 *
 *   npx tsx examples/hci-peripheral.ts hci0
 */
import { type Connection, Host, openTransport, type Transport } from 'ble-smp';
import { fixedAnswers, IoCapability } from 'ble-smp/smp';

/** Advertises, waits for a central, and resolves when the link is encrypted after its pairing. */
export async function acceptOnePairing(
  transport: Transport,
): Promise<{ host: Host; connection: Connection }> {
  const host = await Host.open(transport, {
    policy: { ioCapability: IoCapability.DisplayYesNo },
    delegate: fixedAnswers({
      confirmNumber: true,
      onShown: (kind, value) => console.log(`${kind}: ${value}`),
    }),
  });
  const connection = await new Promise<Connection>((resolve) => {
    host.once('connection', resolve);
    void host.startAdvertising();
  });
  await new Promise<void>((resolve) => connection.once('encrypted', () => resolve()));
  return { host, connection };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { host } = await acceptOnePairing(await openTransport(process.argv[2] ?? 'hci0'));
  console.log('a central paired and the link is encrypted');
  await host.close();
}
