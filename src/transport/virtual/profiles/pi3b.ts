/**
 * Raspberry Pi 3 Model B, Zero W, and the Zero 2 W boards that report the same
 * controller: the built-in Broadcom/Cypress BCM43430A1 (CYW43438), Bluetooth
 * 4.1, on a UART. Some Zero 2 W boards have another controller, with Data
 * Length Extension; this profile does not stand for those. Fixture:
 * test/fixtures/controllers/pi3b.btmon.txt.
 * @module
 */
import { commandsBitmapFromHex } from '../../../hci/supported-commands.js';
import { type ControllerProfile, known, type Source, unknown } from './profile.js';

const hcidump: Source = {
  kind: 'capture',
  url: 'https://github.com/teslamotors/vehicle-command/issues/101',
  line: 'HCI Version: 4.1 (0x7) HCI Revision: 0x1fc',
  note: 'hcidump 5.66 on a Raspberry Pi (B8:27:EB, LMP subversion 0x2209: a Pi 3B or Zero W), firmware build 0x1fc',
};
const at = (line: string): Source => ({ ...hcidump, line });
const zero2w: Source = {
  kind: 'hciconfig',
  url: 'https://github.com/RPi-Distro/firmware-nonfree/issues/31',
  line: 'HCI Version: 4.1 (0x7)  Revision: 0x1fc',
  note: 'two new Raspberry Pi Zero 2 W boards, 2024-10-26: the same controller and firmware build as the Pi 3B capture',
};
const hcidump2017: Source = {
  kind: 'capture',
  url: 'https://github.com/currantlabs/ble/issues/29',
  line: 'HCI Version: 4.1 (0x7) HCI Revision: 0xb6',
  note: 'hcidump (BlueZ 5.43) on a Raspberry Pi 3 Model B, 2017-01-23, an older firmware build',
};

/**
 * The capture's Read Local Supported Commands as hcidump printed it (octets 0
 * to 41; the rest are zero): 198 commands, the Bluetooth 4.1 LE set (LE Encrypt,
 * LE Rand, LE Start Encryption, the connection parameter request replies) and
 * none newer (no Data Length, no resolving list).
 */
const commandsBitmap = commandsBitmapFromHex(
  'ffffff03ccffefffffffec1ff20fe8fe3ff78fff1c00040061f7ffff7ff8ffff' + 'ff3f0000000000000008',
);

/**
 * The Pi 3B / Zero W / Zero 2 W (BCM43430A1) controller profile.
 * @example
 * ```ts
 * pi3b.version.hciVersion.value; // 0x07 (Bluetooth 4.1)
 * pi3b.supportedCommands.value?.complete; // true: 198 commands, none newer than 4.1
 * ```
 */
export const pi3b: ControllerProfile = Object.freeze({
  name: 'pi3b',
  title: 'Raspberry Pi 3 Model B / Zero W / Zero 2 W (BCM43430A1) built-in',
  chip: 'Broadcom BCM43430A1 (Cypress CYW43438), patch RAM firmware loaded by the host at start-up',
  transport: 'uart',
  version: Object.freeze({
    hciVersion: known(0x07, [hcidump]),
    hciRevision: known(
      0x1fc,
      [hcidump, zero2w],
      'the firmware patch build, loaded by the host at start-up: 0x1fc in the 2023 capture (BlueZ 5.66); older Pi 3 traces show 0xb6 (https://github.com/currantlabs/ble/issues/29) and 0x145 (https://github.com/currantlabs/ble/issues/61) with the same subversion',
    ),
    lmpVersion: known(0x07, [at('LMP Version: 4.1 (0x7) LMP Subversion: 0x2209')]),
    lmpSubversion: known(0x2209, [
      at('LMP Version: 4.1 (0x7) LMP Subversion: 0x2209'),
      { ...zero2w, line: 'LMP Version: 4.1 (0x7)  Subversion: 0x2209' },
    ]),
    manufacturer: known(
      15,
      [at('Manufacturer: Broadcom Corporation (15)')],
      'Broadcom (15), not Cypress (305), with the firmware of that capture',
    ),
  }),
  supportedCommands: known({ bitmap: commandsBitmap, complete: true }, [
    at('Commands: ffffff03ccffefffffffec1ff20fe8fe3ff78fff1c00040061f7ffff7ff8ffff'),
    at('ff3f0000000000000008'),
  ]),
  leFeatures: unknown('no public capture of LE Read Local Supported Features from this controller was found'),
  leBuffers: unknown('no public capture of LE Read Buffer Size from this controller was found'),
  aclBuffers: known(
    { size: 1021, count: 8 },
    [
      { ...hcidump2017, line: 'ACL MTU 1021:8 SCO MTU 64:1' },
      { ...zero2w, line: 'BD Address: B8:27:EB:C7:78:58  ACL MTU: 1021:8  SCO MTU: 64:1' },
    ],
    'the 2017 Pi 3B capture (firmware build 0xb6) and the 2024 Zero 2 W one (build 0x1fc) agree',
  ),
  acceptListSize: unknown('no public capture of LE Read White List Size from this controller was found'),
  resolvingListSize: unknown(
    'a 4.1 controller has no resolving list (LL Privacy is a 4.2 feature); not captured',
  ),
  maxLeConnections: unknown('not found in a capture or datasheet'),
  leStates: unknown('no public capture of LE Read Supported States from this controller was found'),
  quirks: Object.freeze([]),
  fixture: 'test/fixtures/controllers/pi3b.btmon.txt',
});
