/**
 * The app's controller in another process: the stand-in HCI socket's device
 * hci0 on an H4 transport to `ble-smp controller --listen`, so noble or bleno
 * run in the test process on a controller of that process's virtual air.
 */
import { addHciDevice, removeHciDevices } from '../../src/integrations/shared/transport-socket.js';
import { openTransport } from '../../src/transport/open.js';
import type { Transport } from '../../src/transport/transport.js';

/** Opens `hci` (as tcp:HOST:PORT) and makes it hci0 for the stand-in sockets; close the transport after the test. */
export async function appController(hci: string): Promise<Transport> {
  const transport = await openTransport(hci);
  removeHciDevices();
  addHciDevice(transport);
  return transport;
}
