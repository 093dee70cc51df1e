/**
 * `ble-smp controller-info`: what the host found out about a controller at
 * start-up, and what ble-smp will use of it.
 * @module
 */
import { parseArgs } from 'node:util';
import { leFeatureNames } from '../../hci/le-features.js';
import { bitmapToCommands } from '../../hci/supported-commands.js';
import { type ControllerInfo, coreVersion, describeController } from '../../host/controller-info.js';
import { refuseAll } from '../../smp/delegate.js';
import { type CommandIo, UsageError } from '../io.js';
import { leave } from '../leave.js';
import { openHost } from '../open-host.js';
import { securitySettings } from './security-options.js';

export const CONTROLLER_INFO_USAGE = `Usage: ble-smp controller-info --hci T [--json]

Opens the controller as pair, serve and scan do (HCI Reset, then Read Local
Version Information, Read Local Supported Commands, LE Read Local Supported
Features, the LE buffers, and the list sizes and data length when the
controller lists those commands) and prints what it found: the Bluetooth
version, revision and manufacturer, how many commands it lists, its LE
features, its ACL buffers for LE (and whether LE shares the BR/EDR ones),
the Filter Accept List and resolving list sizes, the largest data length,
what ble-smp will use, and any known problem of that controller with what
ble-smp does about it. The controller is reset again on leaving.

  --hci T     the controller's transport: hciN, tcp:HOST:PORT, unix:PATH or
              serial:PATH[@BAUD] (required)
  --json      one JSON object: {"type":"controller","address","version":
              {"core","hci","hciSubversion","lmp","lmpSubversion",
              "manufacturer"} or null,"supportedCommands":[names] or null,
              "leFeatures":[names],"aclBuffers":{"size","count","shared"},
              "acceptListSize","resolvingListSize","maxDataLength",
              "problems":[{"id","problem","remedy","source"}]}
Exit status: 0 printed, 2 a usage error, or a transport or controller that
cannot be opened (a controller without LE says so).`;

const OPTIONS = { hci: { type: 'string' }, json: { type: 'boolean' } } as const;

/**
 * The JSON object `controller-info --json` prints.
 * @example
 * ```ts
 * io.out(JSON.stringify(controllerJson(host.controller, host.addressString)));
 * ```
 */
export function controllerJson(info: ControllerInfo, address: string): Record<string, unknown> {
  return {
    type: 'controller',
    address,
    version: info.version && { core: coreVersion(info.version.hci), ...info.version },
    supportedCommands: info.supportedCommands && bitmapToCommands(info.supportedCommands),
    leFeatures: leFeatureNames(info.leFeatures),
    aclBuffers: info.aclBuffers,
    acceptListSize: info.acceptListSize,
    resolvingListSize: info.resolvingListSize,
    maxDataLength: info.maxDataLength,
    problems: info.problems,
  };
}

/**
 * Runs the command with its arguments (after `controller-info`); resolves to
 * the exit status: 0 once printed, 2 for a usage error or a transport or
 * controller that cannot be opened.
 * @example
 * ```ts
 * process.exitCode = await controllerInfoCommand(['--hci', 'hci0', '--json'], processIo);
 * ```
 */
export async function controllerInfoCommand(argv: string[], io: CommandIo): Promise<number> {
  let values: { [K in keyof typeof OPTIONS]?: string | boolean };
  try {
    values = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const settings = securitySettings(values, 'initiator');
  const host = await openHost('controller-info', settings, refuseAll, io);
  if (typeof host === 'number') return host;
  try {
    if (settings.json) io.out(JSON.stringify(controllerJson(host.controller, host.addressString)));
    else io.out([`address ${host.addressString}`, ...describeController(host.controller)].join('\n'));
    return 0;
  } finally {
    await leave(host);
  }
}
