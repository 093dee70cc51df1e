/**
 * Connections between virtual controllers: creating a link (a handle from
 * each controller's own pool, LE Connection Complete on both sides), and
 * ending it (Disconnection Complete, the handles and ACL buffers freed).
 * @module
 */
import type { CreateConnectionParameters } from '../../hci/commands.js';
import { HciErrorCode } from '../../hci/constants.js';
import type { ControllerState, End, Link } from './state.js';

/**
 * Creates the link between an initiator and the advertiser it connects to:
 * LE Connection Complete on both sides; the advertiser stops advertising. When
 * either controller has no free handle, the initiator hears LE Connection
 * Complete with Connection Limit Exceeded (0x09) and stays initiating no more.
 * @example
 * ```ts
 * establish(initiator, advertiser, initiator.initiating!, { type: 0, address });
 * ```
 */
export function establish(
  initiator: ControllerState,
  advertiser: ControllerState,
  request: CreateConnectionParameters,
  advertiserAddress: { readonly type: number; readonly address: Uint8Array },
): void {
  const own = initiator.ownAddress(request.ownAddressType)!;
  initiator.initiating = undefined;
  const centralHandle = initiator.handles.allocate();
  const peripheralHandle =
    centralHandle === undefined ? undefined : advertiser.handles.allocate(centralHandle);
  if (centralHandle === undefined || peripheralHandle === undefined) {
    if (centralHandle !== undefined) initiator.handles.free(centralHandle);
    initiator.air.update(initiator);
    initiator.event({
      name: 'le-connection-complete',
      status: HciErrorCode.ConnectionLimitExceeded,
      handle: 0,
      role: 0x00,
      peerAddressType: advertiserAddress.type,
      peerAddress: new Uint8Array(advertiserAddress.address),
      connectionInterval: 0,
      peripheralLatency: 0,
      supervisionTimeout: 0,
      centralClockAccuracy: 0,
    });
    return;
  }
  advertiser.advertising = false;
  initiator.air.update(initiator);
  advertiser.air.update(advertiser);
  const central: End = {
    state: initiator,
    handle: centralHandle,
    peerAddressType: advertiserAddress.type,
    peerAddress: new Uint8Array(advertiserAddress.address),
  };
  const peripheral: End = {
    state: advertiser,
    handle: peripheralHandle,
    peerAddressType: own.type,
    peerAddress: new Uint8Array(own.address),
  };
  const link: Link = {
    central,
    peripheral,
    alive: true,
    encrypted: false,
    key: undefined,
    pending: undefined,
  };
  initiator.links.set(central.handle, link);
  advertiser.links.set(peripheral.handle, link);
  for (const [end, role] of [
    [central, 0x00],
    [peripheral, 0x01],
  ] as const) {
    end.state.event({
      name: 'le-connection-complete',
      status: HciErrorCode.Success,
      handle: end.handle,
      role,
      peerAddressType: end.peerAddressType,
      peerAddress: end.peerAddress,
      connectionInterval: request.connectionIntervalMin,
      peripheralLatency: request.maxLatency,
      supervisionTimeout: request.supervisionTimeout,
      centralClockAccuracy: 0x00,
    });
  }
}

/**
 * The end of `link` on `state`'s side, and the other end.
 * @example
 * ```ts
 * const { mine, peer } = ends(link, state);
 * ```
 */
export function ends(link: Link, state: ControllerState): { readonly mine: End; readonly peer: End } {
  return link.central.state === state
    ? { mine: link.central, peer: link.peripheral }
    : { mine: link.peripheral, peer: link.central };
}

/** Frees the ACL buffers a dead link held (Vol 4 Part E 4.3: they count as completed). */
function release(state: ControllerState, link: Link): void {
  const held = state.inFlight?.get(link) ?? 0;
  state.buffersInUse = Math.max(0, state.buffersInUse - held);
  state.inFlight?.delete(link);
}

/**
 * Removes a link from both controllers, freeing its handles and buffers; no event.
 * @example
 * ```ts
 * unlink(link); // then tell the hosts what they should hear
 * ```
 */
export function unlink(link: Link): void {
  link.alive = false;
  link.pending = undefined;
  for (const end of [link.central, link.peripheral]) {
    if (end.state.links.get(end.handle) === link) {
      end.state.links.delete(end.handle);
      end.state.handles.free(end.handle);
    }
    release(end.state, link);
  }
}

/**
 * Ends a link on both sides, each host hearing Disconnection Complete with its `reason`.
 * @example
 * ```ts
 * terminate(link, () => HciErrorCode.ConnectionTerminatedMicFailure);
 * ```
 */
export function terminate(link: Link, reason: (end: End) => number): void {
  unlink(link);
  for (const end of [link.central, link.peripheral]) {
    end.state.event({
      name: 'disconnection-complete',
      status: HciErrorCode.Success,
      handle: end.handle,
      reason: reason(end),
    });
  }
}

/**
 * Ends every link of `state` silently on its side; each peer's host hears Disconnection Complete with `reason`.
 * @example
 * ```ts
 * abandonLinks(state, HciErrorCode.ConnectionTimeout); // a reset or power-off
 * ```
 */
export function abandonLinks(state: ControllerState, reason: number): void {
  for (const link of new Set(state.links.values())) {
    unlink(link);
    const { peer } = ends(link, state);
    peer.state.event({ name: 'disconnection-complete', status: 0, handle: peer.handle, reason });
  }
}

/**
 * Whether `state` holds as many links as the controller it plays allows.
 * @example
 * ```ts
 * if (atConnectionLimit(advertiser)) return; // not connectable now
 * ```
 */
export function atConnectionLimit(state: ControllerState): boolean {
  const limit = state.profile?.maxLeConnections.value;
  return limit !== null && limit !== undefined && state.links.size >= limit;
}
