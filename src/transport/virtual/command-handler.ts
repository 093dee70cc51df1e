/**
 * The HCI commands a virtual controller carries out (Core Vol 4 Part E 7):
 * set-up and information commands here, the rest handed to the part of the
 * controller whose job they are (advertising.ts, links.ts, encryption.ts).
 * @module
 */

import { COMMAND_ROW } from '../../hci/command-rows.js';
import { COMMANDS_ANSWERED_BY_STATUS, type HciCommand } from '../../hci/commands.js';
import { HciErrorCode } from '../../hci/constants.js';
import { checkConnectionParameters } from '../../hci/le-signalling.js';
import { commandsToBitmap, hasCommand } from '../../hci/supported-commands.js';
import { announce, offerConnection, offerReports, tryConnect } from './advertising.js';
import { answerKeyRequest, startEncryption } from './encryption.js';
import { abandonLinks, atConnectionLimit, terminate } from './links.js';
import {
  validAdvertisingParameters,
  validConnectionParameters,
  validScanParameters,
} from './parameter-checks.js';
import type { ControllerProfile } from './profiles/profile.js';
import {
  type ControllerState,
  DEFAULT_ADVERTISING,
  DEFAULT_EVENT_MASK,
  DEFAULT_LE_EVENT_MASK,
  DEFAULT_SCAN,
  EMPTY,
  sharedCopy,
} from './state.js';

/** The reasons HCI_Disconnect accepts (7.1.6). */
const DISCONNECT_REASONS: ReadonlySet<number> = new Set([0x05, 0x13, 0x14, 0x15, 0x1a, 0x29, 0x3b]);

/**
 * Commands of {@link COMMAND_ROW} this controller does not carry out: it
 * answers them with Unknown HCI Command and leaves them out of Read Local
 * Supported Commands (Core Vol 4 Part E 7.4.2).
 */
const NOT_CARRIED_OUT: ReadonlySet<HciCommand['name']> = new Set(['le-read-maximum-data-length']);

/** Commands carried out only when the profile played knows the value they return. */
const FROM_PROFILE: Readonly<Partial<Record<HciCommand['name'], (profile: ControllerProfile) => unknown>>> = {
  'le-read-filter-accept-list-size': (profile) => profile.acceptListSize.value,
  'le-read-resolving-list-size': (profile) => profile.resolvingListSize.value,
};

const bitmaps = new WeakMap<object, Uint8Array>();
const NO_PROFILE = {};

/**
 * The commands a controller playing `profile` (or none) carries out, as Read
 * Local Supported Commands lists them (Core Vol 4 Part E 6.27): every command
 * of {@link COMMAND_ROW} it implements, less what the profile's complete list
 * lacks. What it answers and what it refuses both come from this one bitmap.
 */
function supportedBitmap(profile: ControllerProfile | undefined): Uint8Array {
  const known = bitmaps.get(profile ?? NO_PROFILE);
  if (known) return known;
  const names = (Object.keys(COMMAND_ROW) as HciCommand['name'][]).filter((name) => {
    if (NOT_CARRIED_OUT.has(name)) return false;
    const value = FROM_PROFILE[name];
    return value === undefined || (profile !== undefined && value(profile) !== null);
  });
  const ours = commandsToBitmap(names.map((name) => COMMAND_ROW[name]));
  const listed = profile?.supportedCommands.value;
  const bitmap = listed?.complete ? ours.map((octet, i) => octet & listed.bitmap[i]!) : ours;
  bitmaps.set(profile ?? NO_PROFILE, bitmap);
  return bitmap;
}

/**
 * Commands a host sends before it can know the list (every controller answers
 * them; some leave their own bits clear, as the Intel 5.1 capture's list does
 * for Read Local Supported Commands).
 */
const BOOTSTRAP: ReadonlySet<HciCommand['name']> = new Set([
  'reset',
  'read-local-version-information',
  'read-local-supported-commands',
]);

/** Whether the controller played shares its BR/EDR buffers with LE (its LE Read Buffer Size gives 0). */
function sharesBuffers(state: ControllerState): boolean {
  return state.profile?.leBuffers.value?.count === 0 && state.profile.aclBuffers.value !== null;
}

/** LE features (Vol 6 Part B 4.6): the profile's, else bit 0 only (LE Encryption). */
function leFeatures(state: ControllerState): Uint8Array {
  const played = state.profile?.leFeatures.value;
  return played ? Uint8Array.from(played) : Uint8Array.of(0x01, 0, 0, 0, 0, 0, 0, 0);
}

/**
 * Carries out one decoded command from `state`'s host and answers it.
 * @example
 * ```ts
 * execute(state, { name: 'read-bd-addr' }, HciOpcode.ReadBdAddr);
 * ```
 */
export function execute(state: ControllerState, command: HciCommand, opcode: number): void {
  const ok = HciErrorCode.Success;
  const profile = state.profile;
  if (!BOOTSTRAP.has(command.name) && !hasCommand(supportedBitmap(profile), COMMAND_ROW[command.name])) {
    // Not carried out here, or the controller played lacks it (its complete Supported Commands list says so).
    if (COMMANDS_ANSWERED_BY_STATUS.has(command.name)) {
      state.commandStatus(opcode, HciErrorCode.UnknownHciCommand);
    } else {
      state.completeStatus(opcode, HciErrorCode.UnknownHciCommand);
    }
    return;
  }
  switch (command.name) {
    case 'reset': {
      const answer = () => {
        if (!state.open) return;
        resetState(state);
        state.completeStatus(opcode, ok);
        for (const data of state.quirks.eventsAfterReset) state.deliver({ type: 'event', data });
      };
      // A quirk: some controllers take seconds to reset.
      if (state.quirks.resetMs > 0) setTimeout(answer, state.quirks.resetMs).unref?.();
      else answer();
      return;
    }
    case 'read-bd-addr':
      state.complete({
        name: 'command-complete',
        numHciCommandPackets: 1,
        opcode,
        returnParameters: { kind: 'read-bd-addr', status: ok, address: new Uint8Array(state.address) },
      });
      return;
    case 'read-local-version-information':
      state.complete({
        name: 'command-complete',
        numHciCommandPackets: 1,
        opcode,
        returnParameters: {
          kind: 'read-local-version-information',
          status: ok,
          // The profile's values where it knows them; else Core 5.4 and 0xFFFF, reserved for tests.
          hciVersion: profile?.version.hciVersion.value ?? 0x0d,
          hciSubversion: profile?.version.hciRevision.value ?? 0x0000,
          lmpVersion: profile?.version.lmpVersion.value ?? 0x0d,
          companyIdentifier: profile?.version.manufacturer.value ?? 0xffff,
          lmpSubversion: profile?.version.lmpSubversion.value ?? 0x0000,
        },
      });
      return;
    case 'set-event-mask':
      state.eventMask = sharedCopy(command.eventMask);
      state.completeStatus(opcode, ok);
      return;
    case 'le-set-event-mask':
      state.leEventMask = sharedCopy(command.leEventMask);
      state.completeStatus(opcode, ok);
      return;
    case 'read-buffer-size':
      state.complete({
        name: 'command-complete',
        numHciCommandPackets: 1,
        opcode,
        returnParameters: {
          kind: 'read-buffer-size',
          status: ok,
          aclDataPacketLength: state.aclBufferSize,
          syncDataPacketLength: 0,
          totalNumAclDataPackets: state.aclBufferCount,
          totalNumSyncDataPackets: 0,
        },
      });
      return;
    case 'le-read-buffer-size':
      state.complete({
        name: 'command-complete',
        numHciCommandPackets: 1,
        opcode,
        returnParameters: {
          kind: 'le-read-buffer-size',
          status: ok,
          // A profile whose LE count is 0 shares the BR/EDR buffers: the host must read those (7.8.2).
          leAclDataPacketLength: sharesBuffers(state) ? 0 : state.aclBufferSize,
          totalNumLeAclDataPackets: sharesBuffers(state) ? 0 : state.aclBufferCount,
        },
      });
      return;
    case 'read-local-supported-commands':
      state.complete({
        name: 'command-complete',
        numHciCommandPackets: 1,
        opcode,
        returnParameters: {
          kind: 'read-local-supported-commands',
          status: ok,
          supportedCommands: Uint8Array.from(supportedBitmap(profile)),
        },
      });
      return;
    case 'le-read-filter-accept-list-size':
    case 'le-read-resolving-list-size':
      // Carried out only for a profile that knows the size (supportedBitmap).
      state.complete({
        name: 'command-complete',
        numHciCommandPackets: 1,
        opcode,
        returnParameters: {
          kind: 'list-size',
          status: ok,
          size: FROM_PROFILE[command.name]!(profile!) as number,
        },
      });
      return;
    case 'le-read-local-supported-features':
      state.complete({
        name: 'command-complete',
        numHciCommandPackets: 1,
        opcode,
        // Bit 0: LE Encryption (Vol 6 Part B 4.6).
        returnParameters: {
          kind: 'le-read-local-supported-features',
          status: ok,
          leFeatures: leFeatures(state),
        },
      });
      return;
    case 'le-set-random-address':
      if (state.advertising || state.scanning || state.initiating) {
        state.completeStatus(opcode, HciErrorCode.CommandDisallowed);
        return;
      }
      state.randomAddress = new Uint8Array(command.randomAddress);
      state.completeStatus(opcode, ok);
      return;
    case 'le-set-advertising-parameters': {
      const { name: _, ...parameters } = command;
      if (state.advertising) state.completeStatus(opcode, HciErrorCode.CommandDisallowed);
      else if (!validAdvertisingParameters(parameters)) {
        state.completeStatus(opcode, HciErrorCode.InvalidHciCommandParameters);
      } else {
        state.advertisingParameters = {
          ...parameters,
          peerAddress: new Uint8Array(parameters.peerAddress),
        };
        state.completeStatus(opcode, ok);
      }
      return;
    }
    case 'le-set-advertising-data':
      state.advertisingData = sharedCopy(command.advertisingData);
      state.completeStatus(opcode, ok);
      if (state.advertising) announce(state);
      return;
    case 'le-set-scan-response-data':
      state.scanResponseData = sharedCopy(command.scanResponseData);
      state.completeStatus(opcode, ok);
      if (state.advertising) announce(state);
      return;
    case 'le-set-advertising-enable':
      if (command.enable && state.ownAddress(state.advertisingParameters.ownAddressType) === undefined) {
        // 7.8.9: a random own address that the host never set.
        state.completeStatus(opcode, HciErrorCode.InvalidHciCommandParameters);
        return;
      }
      state.advertising = command.enable;
      state.air.update(state);
      state.completeStatus(opcode, ok);
      if (command.enable) {
        announce(state);
        offerConnection(state);
      }
      return;
    case 'le-set-scan-parameters': {
      const { name: _, ...parameters } = command;
      if (state.scanning) state.completeStatus(opcode, HciErrorCode.CommandDisallowed);
      else if (!validScanParameters(parameters)) {
        state.completeStatus(opcode, HciErrorCode.InvalidHciCommandParameters);
      } else {
        state.scanParameters = parameters;
        state.completeStatus(opcode, ok);
      }
      return;
    }
    case 'le-set-scan-enable':
      if (command.enable && state.ownAddress(state.scanParameters.ownAddressType) === undefined) {
        state.completeStatus(opcode, HciErrorCode.InvalidHciCommandParameters);
        return;
      }
      if (command.enable && !state.scanning) state.reported = undefined;
      state.scanning = command.enable;
      state.filterDuplicates = command.filterDuplicates;
      state.air.update(state);
      state.completeStatus(opcode, ok);
      if (command.enable) {
        for (const advertiser of state.air.advertisers()) offerReports(advertiser, state);
      }
      return;
    case 'le-create-connection': {
      const { name: _, ...parameters } = command;
      if (state.initiating) state.commandStatus(opcode, HciErrorCode.CommandDisallowed);
      else if (atConnectionLimit(state)) state.commandStatus(opcode, HciErrorCode.ConnectionLimitExceeded);
      else if (
        !validConnectionParameters(parameters) ||
        state.ownAddress(parameters.ownAddressType) === undefined
      ) {
        state.commandStatus(opcode, HciErrorCode.InvalidHciCommandParameters);
      } else {
        state.initiating = { ...parameters, peerAddress: new Uint8Array(parameters.peerAddress) };
        state.air.update(state);
        state.commandStatus(opcode, ok);
        tryConnect(state);
      }
      return;
    }
    case 'le-create-connection-cancel': {
      const pending = state.initiating;
      if (!pending) {
        state.completeStatus(opcode, HciErrorCode.CommandDisallowed);
        return;
      }
      state.initiating = undefined;
      state.air.update(state);
      state.completeStatus(opcode, ok);
      // 7.8.13: the cancelled creation ends with LE Connection Complete, status 0x02.
      state.event({
        name: 'le-connection-complete',
        status: HciErrorCode.UnknownConnectionIdentifier,
        handle: 0,
        role: 0x00,
        peerAddressType: pending.peerAddressType & 1,
        peerAddress: new Uint8Array(pending.peerAddress),
        connectionInterval: 0,
        peripheralLatency: 0,
        supervisionTimeout: 0,
        centralClockAccuracy: 0,
      });
      return;
    }
    case 'disconnect': {
      const link = state.links.get(command.handle);
      if (!link) state.commandStatus(opcode, HciErrorCode.UnknownConnectionIdentifier);
      else if (!DISCONNECT_REASONS.has(command.reason)) {
        state.commandStatus(opcode, HciErrorCode.InvalidHciCommandParameters);
      } else {
        state.commandStatus(opcode, ok);
        const reason = command.reason;
        terminate(link, (end) =>
          end.state === state ? HciErrorCode.ConnectionTerminatedByLocalHost : reason,
        );
      }
      return;
    }
    case 'le-read-remote-features': {
      // 7.8.21: the features come from the peer's controller, in LE Read Remote Features Complete.
      const link = state.links.get(command.handle);
      if (!link) {
        state.commandStatus(opcode, HciErrorCode.UnknownConnectionIdentifier);
        return;
      }
      state.commandStatus(opcode, ok);
      const peer = link.central.state === state ? link.peripheral : link.central;
      state.event({
        name: 'le-read-remote-features-complete',
        status: ok,
        handle: command.handle,
        leFeatures: leFeatures(peer.state),
      });
      return;
    }
    case 'le-rand': {
      const randomNumber = new Uint8Array(8);
      globalThis.crypto.getRandomValues(randomNumber);
      state.complete({
        name: 'command-complete',
        numHciCommandPackets: 1,
        opcode,
        returnParameters: { kind: 'le-rand', status: ok, randomNumber },
      });
      return;
    }
    case 'le-connection-update': {
      // 7.8.18: either end may ask; the new parameters reach both hosts in LE Connection Update Complete.
      const link = state.links.get(command.handle);
      const invalid = checkConnectionParameters({
        intervalMin: command.connectionIntervalMin,
        intervalMax: command.connectionIntervalMax,
        peripheralLatency: command.maxLatency,
        timeoutMultiplier: command.supervisionTimeout,
      });
      if (!link) state.commandStatus(opcode, HciErrorCode.UnknownConnectionIdentifier);
      else if (invalid) state.commandStatus(opcode, HciErrorCode.InvalidHciCommandParameters);
      else {
        state.commandStatus(opcode, ok);
        for (const end of [link.central, link.peripheral]) {
          end.state.event({
            name: 'le-connection-update-complete',
            status: ok,
            handle: end.handle,
            connectionInterval: command.connectionIntervalMax,
            peripheralLatency: command.maxLatency,
            supervisionTimeout: command.supervisionTimeout,
          });
        }
      }
      return;
    }
    case 'le-start-encryption':
      startEncryption(state, command, opcode);
      return;
    case 'le-long-term-key-request-reply':
    case 'le-long-term-key-request-negative-reply':
      answerKeyRequest(state, command, opcode);
      return;
  }
}

/**
 * 7.3.2: back to the power-on state. Links vanish without an event here; peers time out.
 * @example
 * ```ts
 * resetState(state);
 * ```
 */
export function resetState(state: ControllerState): void {
  abandonLinks(state, HciErrorCode.ConnectionTimeout);
  state.eventMask = DEFAULT_EVENT_MASK;
  state.leEventMask = DEFAULT_LE_EVENT_MASK;
  state.randomAddress = undefined;
  state.advertisingParameters = DEFAULT_ADVERTISING;
  state.advertisingData = EMPTY;
  state.scanResponseData = EMPTY;
  state.advertising = false;
  state.scanParameters = DEFAULT_SCAN;
  state.scanning = false;
  state.filterDuplicates = false;
  state.reported = undefined;
  state.initiating = undefined;
  state.buffersInUse = 0;
  state.inFlight = undefined;
  state.air.update(state);
}
