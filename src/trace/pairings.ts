/**
 * Groups trace events into pairings, per connection: a pairing starts with a
 * Pairing Request (a Security Request just before it belongs to it) and
 * gathers everything that happens on its connection until the next Pairing
 * Request or the disconnection. Any other SMP PDU with no pairing open on
 * its connection (a Pairing Response, a Pairing Failed, key distribution:
 * the capture began after the Pairing Request, or a Security Request was
 * refused) opens a partial pairing, audited for what it shows. Encryption
 * on a connection where nothing was paired is kept apart.
 * @module
 */
import type {
  ConnectionEvent,
  DeviceAddress,
  DisconnectionEvent,
  EncryptionStartEvent,
  LinkRole,
  SmpEvent,
  TraceEvent,
} from './events.js';

/** Everything a capture shows of one pairing. */
export interface CapturedPairing {
  /** 1-based, in capture order. */
  readonly index: number;
  readonly link: string;
  central?: DeviceAddress;
  peripheral?: DeviceAddress;
  /** The captured host's role (HCI captures). */
  readonly localRole?: LinkRole;
  /** The Security Request that asked for this pairing, if any. */
  readonly securityRequest?: SmpEvent;
  /**
   * The capture does not show the Pairing Request: it began mid-pairing, or
   * the pairing never got that far (a Security Request answered by Pairing
   * Failed). `events` then starts with the first SMP PDU seen (the Security
   * Request, if any).
   */
  readonly partial?: boolean;
  /** Every event on the connection from the Pairing Request on, SMP and otherwise, in order. */
  readonly events: TraceEvent[];
  /** The first event on the connection after this pairing's events (the next pairing's start), if any. */
  next?: TraceEvent;
}

/** Encryption started on a connection with no pairing in the capture (a bond from before, or a key from nowhere). */
export interface UnpairedEncryption {
  readonly link: string;
  readonly start: EncryptionStartEvent;
}

interface LinkState {
  connection?: ConnectionEvent;
  current?: CapturedPairing | undefined;
  securityRequest?: SmpEvent | undefined;
  disconnected?: DisconnectionEvent;
}

/** Collects pairings from decoded events, in order. */
export class PairingCollector {
  readonly pairings: CapturedPairing[] = [];
  readonly unpaired: UnpairedEncryption[] = [];
  readonly #links = new Map<string, LinkState>();

  /**
   * Whether a pairing may still grow: it is its link's current one (no
   * disconnection, new connection or later pairing on the link since).
   */
  isOpen(pairing: CapturedPairing): boolean {
    return this.#links.get(pairing.link)?.current === pairing;
  }

  /** Takes the next event. */
  push(event: TraceEvent): void {
    let state = this.#links.get(event.link);
    if (!state) {
      state = {};
      this.#links.set(event.link, state);
    }
    if (event.type === 'connection') {
      state.connection = event;
      if (!event.update) {
        state.current = undefined;
        state.securityRequest = undefined;
      } else if (state.current) {
        if (event.central) state.current.central = event.central;
        if (event.peripheral) state.current.peripheral = event.peripheral;
      }
      return;
    }
    if (event.type === 'smp') {
      const type = event.decoded.ok ? event.decoded.pdu.type : undefined;
      if (type === 'security-request' && !state.current) {
        state.securityRequest = event;
        return;
      }
      // A Pairing Request opens a pairing even when malformed (a reserved or out-of-range
      // field, a wrong length): its receiver answered it somehow, and the audit says how.
      if (type === 'pairing-request' || (!event.decoded.ok && event.bytes[0] === 0x01)) {
        if (state.current) state.current.next = event;
        this.#open(state, event, false);
        return;
      }
      if (!state.current) {
        this.#open(state, event, true);
        return;
      }
    }
    if (state.current) {
      state.current.events.push(event);
      if (event.type === 'disconnection') state.current = undefined;
      return;
    }
    // A Security Request left unanswered to the end of the link (or answered by encryption with a bond) opens nothing.
    if (event.type === 'disconnection') state.securityRequest = undefined;
    if (event.type === 'encryption-start') this.unpaired.push({ link: event.link, start: event });
  }

  /** Opens a pairing on the link at `event`: at its Pairing Request, or (partial) at the first SMP PDU seen without one. */
  #open(state: LinkState, event: SmpEvent, partial: boolean): void {
    const connection = state.connection;
    const securityRequest = state.securityRequest;
    const pairing: CapturedPairing = {
      index: this.pairings.length + 1,
      link: event.link,
      ...(connection?.central ? { central: connection.central } : {}),
      ...(connection?.peripheral ? { peripheral: connection.peripheral } : {}),
      ...(connection?.localRole ? { localRole: connection.localRole } : {}),
      ...(securityRequest ? { securityRequest } : {}),
      ...(partial ? { partial: true } : {}),
      // Without a Pairing Request, the Security Request is the pairing's first PDU (refused, or answered out of view).
      events: partial && securityRequest ? [securityRequest, event] : [event],
    };
    state.securityRequest = undefined;
    state.current = pairing;
    this.pairings.push(pairing);
  }
}
