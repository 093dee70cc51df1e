/**
 * Controllers known to depart from the spec in a way the host works around,
 * recognised by what Read Local Version Information gives: a table of data,
 * each row with the public report it comes from.
 * @module
 */
import type { ControllerInfo } from './controller-info.js';

/** A known departure of the controller at hand, and what the host does about it. */
export interface ControllerProblem {
  /** Stable identifier, for example 'passive-scan-silent'. */
  readonly id: string;
  /** What is wrong, for a person. */
  readonly problem: string;
  /** What ble-smp does about it, and what the user can do. */
  readonly remedy: string;
  /** Where it was reported. */
  readonly source: string;
}

interface Row extends ControllerProblem {
  readonly matches: (version: NonNullable<ControllerInfo['version']>) => boolean;
}

/** Known problems (the virtual controller plays them: src/transport/virtual/profiles). */
const ROWS: readonly Row[] = [
  {
    // Linux btrtl recognises the RTL8761B ROM by hci_rev 0x000b and lmp_subver 0x8761; once the firmware
    // is loaded the controller reports another subversion (0x8a6b in https://github.com/bluez/bluez/issues/482).
    id: 'passive-scan-silent',
    matches: (v) => v.manufacturer === 93 && v.hciSubversion === 0x000b && v.lmpSubversion === 0x8761,
    problem:
      'a Realtek RTL8761B on its ROM (the firmware rtl_bt/rtl8761bu_fw.bin was not loaded): it reports no advertisement while scanning passively',
    remedy:
      'ble-smp scans actively on it (scan requests go out); to fix the controller, let Linux load the firmware (is the file in /lib/firmware/rtl_bt? `dmesg | grep RTL` says) and restart the adapter',
    source: 'https://github.com/bluez/bluetooth-next/pull/708',
  },
];

/**
 * The known problems of a controller, from its version (none when unknown).
 * @example
 * ```ts
 * knownControllerProblems({ hci: 0x0a, hciSubversion: 0x000b, lmp: 0x0a, lmpSubversion: 0x8761, manufacturer: 93 });
 * // [{ id: 'passive-scan-silent', ... }]
 * ```
 */
export function knownControllerProblems(version: ControllerInfo['version']): ControllerProblem[] {
  if (version === null) return [];
  return ROWS.filter((row) => row.matches(version)).map(({ matches: _, ...problem }) => problem);
}
