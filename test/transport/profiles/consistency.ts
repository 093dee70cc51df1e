// Internal-consistency rules for a controller profile, as a list of problems (empty when consistent).
import { hasLeFeature } from '../../../src/hci/le-features.js';
import { hasCommand } from '../../../src/hci/supported-commands.js';
import type { ControllerProfile } from '../../../src/transport/virtual/profiles/index.js';

// A feature and the command a controller with it must list (Core v5.4 Vol 4 Part E 3, Table 3.1 conditions).
const IMPLIES: readonly [string, string][] = [
  ['LL Privacy', 'LE Add Device To Resolving List'],
  ['LE Data Packet Length Extension', 'LE Set Data Length'],
  ['LE 2M PHY', 'LE Set PHY'],
  ['LE Extended Advertising', 'LE Set Extended Advertising Enable'],
];

export function consistencyProblems(p: ControllerProfile): string[] {
  const problems: string[] = [];
  const le = p.leBuffers.value;
  const acl = p.aclBuffers.value;
  if (le !== null && le.count === 0) {
    // Shared with BR/EDR: the host then needs Read Buffer Size (Core v5.4 Vol 4 Part E 7.8.2).
    if (le.size !== 0) problems.push('LE buffer count 0 (shared) with a non-zero LE size');
    if (acl === null) problems.push('LE buffers shared with BR/EDR but no BR/EDR ACL buffers');
  }
  if (le !== null && le.count > 0 && le.size < 27) problems.push('LE buffer size below 27');
  if (acl !== null && acl.count === 0) problems.push('BR/EDR ACL buffer count 0');
  const hci = p.version.hciVersion.value;
  const f = p.leFeatures.value;
  if (f !== null && f.length !== 8) problems.push('LE features not 8 octets');
  if (f !== null && f.length === 8) {
    const dle = hasLeFeature(f, 'LE Data Packet Length Extension');
    if ((dle || hasLeFeature(f, 'LL Privacy')) && hci !== null && hci < 0x08) {
      problems.push('Data Length Extension or LL Privacy on a controller older than 4.2');
    }
    if (
      (hasLeFeature(f, 'LE 2M PHY') || hasLeFeature(f, 'LE Extended Advertising')) &&
      hci !== null &&
      hci < 0x09
    ) {
      problems.push('2M PHY or extended advertising on a controller older than 5.0');
    }
    const cmds = p.supportedCommands.value;
    if (cmds?.complete) {
      for (const [feature, command] of IMPLIES) {
        if (hasLeFeature(f, feature) && !hasCommand(cmds.bitmap, command)) {
          problems.push(`${feature} without ${command}`);
        }
      }
    }
    const rl = p.resolvingListSize.value;
    if (!hasLeFeature(f, 'LL Privacy') && rl !== null && rl > 0) {
      problems.push('a resolving list without LL Privacy');
    }
  }
  if (p.supportedCommands.value !== null && p.supportedCommands.value.bitmap.length !== 64) {
    problems.push('supported-commands bitmap not 64 octets');
  }
  if (p.leStates.value !== null && p.leStates.value.length !== 8) problems.push('LE states not 8 octets');
  return problems;
}
