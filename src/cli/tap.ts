/**
 * Observing the HCI traffic of a transport, for traces.
 * @module
 */
import type { HciPacket } from '../hci/h4.js';
import type { Transport } from '../transport/transport.js';

/**
 * A transport that shows `tap` every packet sent (`tx`) and every packet
 * received (`rx`) exactly once, however many listeners the host adds, before
 * the host sees it; `closed` runs after the transport closes.
 * @example
 * ```ts
 * const observed = tapped(transport, (direction, packet) => writer.record(direction, packet));
 * const host = await Host.open(observed);
 * ```
 */
export function tapped(
  transport: Transport,
  tap: (direction: 'tx' | 'rx', packet: HciPacket) => void,
  closed: () => Promise<void> = async () => undefined,
): Transport {
  transport.onPacket((packet) => tap('rx', packet));
  return {
    send: (packet) => {
      tap('tx', packet);
      transport.send(packet);
    },
    onPacket: (listener) => transport.onPacket(listener),
    onClose: (listener) => transport.onClose(listener),
    close: async () => {
      try {
        await transport.close();
      } finally {
        await closed();
      }
    },
  };
}
