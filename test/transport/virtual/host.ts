/**
 * A tiny test host for virtual controllers: sends commands and ACL packets
 * through a Transport, decodes what comes back, and lets a test await an event.
 */
import { type AclPacket, decodeAcl, encodeAcl } from '../../../src/hci/acl.js';
import { COMMAND_OPCODE, encodeCommand, type HciCommand } from '../../../src/hci/commands.js';
import { decodeEvent, type HciEvent, type HciEventName } from '../../../src/hci/events.js';
import type { Transport } from '../../../src/transport/transport.js';

type EventOf<N extends HciEventName> = Extract<HciEvent, { name: N }>;
type Answer = EventOf<'command-complete'> | EventOf<'command-status'>;

interface Waiter {
  readonly match: (event: HciEvent) => boolean;
  readonly resolve: (event: HciEvent) => void;
}

/**
 * Lets every pending delivery run: the controllers deliver on setImmediate, and a packet relayed to a
 * peer (then acknowledged) takes a turn per hop, so give the loop a few turns.
 */
export async function settle(): Promise<void> {
  for (let turn = 0; turn < 8; turn++) await new Promise((resolve) => setImmediate(resolve));
}

export class TestHost {
  /** Every event received, in order. */
  readonly log: HciEvent[] = [];
  /** Every ACL packet received, in order. */
  readonly acl: AclPacket[] = [];
  /** Events nobody has awaited yet. */
  readonly #unclaimed: HciEvent[] = [];
  readonly #waiters: Waiter[] = [];
  readonly transport: Transport;

  constructor(transport: Transport) {
    this.transport = transport;
    transport.onPacket((packet) => {
      if (packet.type === 'acl') {
        const decoded = decodeAcl(packet.data);
        if (!decoded.ok) throw new Error(decoded.message);
        this.acl.push(decoded.packet);
        return;
      }
      const decoded = decodeEvent(packet.data);
      if (!decoded.ok) throw new Error(decoded.message);
      const event = decoded.event;
      this.log.push(event);
      const i = this.#waiters.findIndex((w) => w.match(event));
      if (i >= 0) this.#waiters.splice(i, 1)[0]!.resolve(event);
      else this.#unclaimed.push(event);
    });
  }

  /** Resolves with the first unclaimed event named `name` that passes `filter`, now or when it arrives. */
  next<N extends HciEventName>(
    name: N,
    filter: (event: EventOf<N>) => boolean = () => true,
  ): Promise<EventOf<N>> {
    const match = (event: HciEvent): boolean => event.name === name && filter(event as EventOf<N>);
    const i = this.#unclaimed.findIndex(match);
    if (i >= 0) return Promise.resolve(this.#unclaimed.splice(i, 1)[0] as EventOf<N>);
    return new Promise((resolve) => {
      this.#waiters.push({ match, resolve: (event) => resolve(event as EventOf<N>) });
    });
  }

  /** The events named `name` received so far. */
  seen<N extends HciEventName>(name: N): EventOf<N>[] {
    return this.log.filter((e): e is EventOf<N> => e.name === name);
  }

  /** Sends raw command octets and awaits the Command Complete or Status for `opcode`. */
  raw(data: Uint8Array, opcode = data[0]! | (data[1]! << 8)): Promise<Answer> {
    const answer = this.#answer(opcode);
    this.transport.send({ type: 'command', data });
    return answer;
  }

  /** Sends a command and awaits its Command Complete or Command Status. */
  command(command: HciCommand): Promise<Answer> {
    return this.raw(encodeCommand(command), COMMAND_OPCODE[command.name]);
  }

  /** Sends a command and returns its Command Complete, failing on a Command Status. */
  async complete(command: HciCommand): Promise<EventOf<'command-complete'>> {
    const answer = await this.command(command);
    if (answer.name !== 'command-complete') throw new Error(`${command.name}: Command Status, not Complete`);
    return answer;
  }

  /** Sends a command and returns the status of its answer. */
  async status(command: HciCommand): Promise<number> {
    const answer = await this.command(command);
    if (answer.name === 'command-status') return answer.status;
    const rp = answer.returnParameters;
    return rp.kind === 'raw' ? rp.data[0]! : rp.status;
  }

  /** Sends one ACL packet. */
  sendAcl(handle: number, pb: number, data: Uint8Array): void {
    this.transport.send({ type: 'acl', data: encodeAcl({ handle, pb, bc: 0, data }) });
  }

  #answer(opcode: number): Promise<Answer> {
    return new Promise((resolve) => {
      const match = (e: HciEvent): boolean =>
        (e.name === 'command-complete' || e.name === 'command-status') && e.opcode === opcode;
      const i = this.#unclaimed.findIndex(match);
      if (i >= 0) resolve(this.#unclaimed.splice(i, 1)[0] as Answer);
      else this.#waiters.push({ match, resolve: (e) => resolve(e as Answer) });
    });
  }
}

/** Advertising parameters for connectable undirected advertising from the public address. */
export const ADV_IND: HciCommand = {
  name: 'le-set-advertising-parameters',
  advertisingIntervalMin: 0x0800,
  advertisingIntervalMax: 0x0800,
  advertisingType: 0x00,
  ownAddressType: 0x00,
  peerAddressType: 0x00,
  peerAddress: new Uint8Array(6),
  advertisingChannelMap: 0x07,
  advertisingFilterPolicy: 0x00,
};

/** LE Create Connection to a public `peerAddress` from the public address. */
export function createConnection(peerAddress: Uint8Array): HciCommand {
  return {
    name: 'le-create-connection',
    scanInterval: 0x0060,
    scanWindow: 0x0030,
    initiatorFilterPolicy: 0x00,
    peerAddressType: 0x00,
    peerAddress,
    ownAddressType: 0x00,
    connectionIntervalMin: 0x0018,
    connectionIntervalMax: 0x0028,
    maxLatency: 0,
    supervisionTimeout: 0x01f4,
    minCeLength: 0,
    maxCeLength: 0,
  };
}
