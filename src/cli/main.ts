/**
 * The `ble-smp` command line.
 * @module
 */

import { VERSION } from '../version.js';
import { AUDIT_USAGE, auditCommand } from './commands/audit.js';
import { BONDS_USAGE, bondsCommand } from './commands/bonds.js';
import { CONTROLLER_USAGE, controllerCommand } from './commands/controller.js';
import { CONTROLLER_INFO_USAGE, controllerInfoCommand } from './commands/controller-info.js';
import { DEMO_USAGE, demoCommand } from './commands/demo.js';
import { PAIR_USAGE, pairCommand } from './commands/pair.js';
import { SCAN_USAGE, scanCommand } from './commands/scan.js';
import { SERVE_USAGE, serveCommand } from './commands/serve.js';
import { VECTORS_USAGE, vectorsCommand } from './commands/vectors.js';
import { type CommandIo, processIo, UsageError } from './io.js';

const COMMANDS: Record<string, { usage: string; run: (argv: string[], io: CommandIo) => Promise<number> }> = {
  audit: { usage: AUDIT_USAGE, run: (argv, io) => auditCommand(argv, io) },
  bonds: { usage: BONDS_USAGE, run: bondsCommand },
  controller: { usage: CONTROLLER_USAGE, run: controllerCommand },
  'controller-info': { usage: CONTROLLER_INFO_USAGE, run: controllerInfoCommand },
  demo: { usage: DEMO_USAGE, run: demoCommand },
  pair: { usage: PAIR_USAGE, run: pairCommand },
  scan: { usage: SCAN_USAGE, run: scanCommand },
  serve: { usage: SERVE_USAGE, run: serveCommand },
  vectors: { usage: VECTORS_USAGE, run: vectorsCommand },
};

export const USAGE = `Usage: ble-smp <command> [options]

Commands:
  demo        two virtual devices pair in every model through the whole stack
  bonds       list, show, delete, export and import the bonds kept
  controller  serve virtual controllers over H4 on loopback TCP or a Unix socket
  controller-info  what a controller is and can do (version, commands, LE
              features, buffers) and what ble-smp will use of it
  scan        list the advertisers in range as they are heard (names, RSSI,
              bonded peers behind their private addresses)
  pair        connect to a peripheral (by address or name) and pair with it
  serve       advertise and answer centrals' pairing as peripheral
  vectors     run every SMP spec vector on each crypto backend, with ops/s
  audit       audit the pairings in a capture (btmon text, btsnoop, pcap, pcapng)

ble-smp <command> --help shows a command's options; ble-smp --version the version.`;

/**
 * Runs the command line with `argv` (without `node` and the script); resolves
 * to the exit status: 0 success, 1 the command found a problem, 2 a usage error.
 * @example
 * ```ts
 * process.exitCode = await main(['vectors', '--no-timing']);
 * ```
 */
export async function main(argv: string[], io: CommandIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.out(VERSION);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`ble-smp: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      // pair and serve with --json: every outcome is one object on stdout, a usage error included.
      if ((name === 'pair' || name === 'serve') && rest.includes('--json')) {
        io.out(JSON.stringify({ type: 'failed', stage: 'usage', code: 'usage', message: error.message }));
      }
      io.err(`ble-smp ${name}: ${error.message}\n\n${command.usage}`);
      return 2;
    }
    io.err(`ble-smp ${name}: ${(error as Error).stack ?? String(error)}`);
    return 1;
  }
}
