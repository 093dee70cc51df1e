/**
 * `ble-smp scan` as a process, as a user runs it (issue 14 item 4): Ctrl-C (SIGINT) or SIGTERM
 * ends the scan with its `done` line and exit status 0, and --duration ends it on its own.
 */
import { describe, expect, it } from 'vitest';
import { cliProcesses } from './cli-processes.js';

describe('ble-smp scan as a process', () => {
  const { start } = cliProcesses('scan-build');

  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s ends the scan: done, exit 0',
    async (signal) => {
      const controller = start(['controller', '--listen', 'tcp:127.0.0.1:0', '--json']);
      const hci = (await controller.next('ready')).listen as string;
      const serve = start(['serve', '--hci', hci, '--name', 'lamp', '--json']);
      await serve.next('ready');
      const scan = start(['scan', '--hci', hci, '--json']);
      expect(await scan.next('device')).toMatchObject({ name: 'lamp', connectable: true });
      scan.child.kill(signal);
      const lines = await scan.rest();
      expect(await scan.exited, scan.stderr()).toBe(0);
      expect(lines.at(-1)).toMatchObject({ type: 'done', devices: 1 });
      for (const other of [serve, controller]) {
        other.child.kill('SIGTERM');
        await other.exited;
      }
    },
    60_000,
  );

  it('--duration: exits 0 by itself', async () => {
    const controller = start(['controller', '--listen', 'tcp:127.0.0.1:0', '--json']);
    const hci = (await controller.next('ready')).listen as string;
    const scan = start(['scan', '--hci', hci, '--json', '--duration', '0.3']);
    expect(await scan.exited, scan.stderr()).toBe(0);
    expect(await scan.rest()).toEqual([{ type: 'done', devices: 0, durationMs: expect.any(Number) }]);
    controller.child.kill('SIGTERM');
    await controller.exited;
  }, 60_000);
});
