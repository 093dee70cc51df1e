/** A transport in front of a controller that records what passes, decoded, for tests. */
import { decodeCommand, type HciCommand } from '../../../src/hci/commands.js';
import { decodeEvent, type HciEvent } from '../../../src/hci/events.js';
import type { Transport } from '../../../src/transport/transport.js';

/**
 * The controller, with every command the host sends and every event it
 * receives recorded (an event the codec does not know as `unknown`).
 */
export function recording(controller: Transport) {
  const commands: HciCommand[] = [];
  const events: HciEvent[] = [];
  // One listener of our own, registered first: every event recorded once, before the host sees it.
  controller.onPacket((packet) => {
    if (packet.type !== 'event') return;
    const decoded = decodeEvent(packet.data);
    events.push(
      decoded.ok ? decoded.event : { name: 'unknown', code: packet.data[0]!, parameters: packet.data },
    );
  });
  const transport: Transport = {
    send(packet) {
      if (packet.type === 'command') {
        const decoded = decodeCommand(packet.data);
        if (decoded.ok) commands.push(decoded.command);
      }
      controller.send(packet);
    },
    onPacket: (listener) => controller.onPacket(listener),
    onClose: (listener) => controller.onClose(listener),
    close: () => controller.close(),
  };
  return { transport, commands, events };
}
