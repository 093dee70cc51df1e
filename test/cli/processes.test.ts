/**
 * The command line end to end as separate processes, as a user runs it:
 * `ble-smp controller --listen` in one, `ble-smp serve` and `ble-smp pair` in
 * two others, over loopback TCP; the keys each side prints agree. The
 * controller plays the Pi 3B and CSR8510 profiles too (issue 16).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratchDir } from '../scratch.js';
import { cliProcesses } from './cli-processes.js';

describe('ble-smp controller, serve and pair as three processes', () => {
  const { start } = cliProcesses('cli-build');

  /** What each side is given for a model: CLI options only, as a script would. */
  const MODELS = [
    {
      model: 'just-works',
      method: 'legacy',
      serve: ['--no-sc'],
      pair: ['--legacy'],
      authenticated: false,
    },
    {
      model: 'passkey',
      method: 'legacy',
      serve: ['--no-sc', '--io-cap', 'display-only', '--passkey', '314159'],
      pair: ['--legacy', '--io-cap', 'keyboard-only', '--passkey', '314159'],
      authenticated: true,
    },
    { model: 'just-works', method: 'sc', serve: [], pair: [], authenticated: false },
    {
      model: 'numeric-comparison',
      method: 'sc',
      serve: ['--io-cap', 'display-yes-no', '--confirm', 'yes'],
      pair: ['--io-cap', 'display-yes-no', '--confirm', 'yes'],
      authenticated: true,
    },
    {
      model: 'passkey',
      method: 'sc',
      serve: ['--io-cap', 'display-only', '--passkey', '271828'],
      pair: ['--io-cap', 'keyboard-only', '--passkey', '271828'],
      authenticated: true,
    },
    {
      // The peripheral writes its OOB data to a file (NFC or a QR code, in life); the central reads it.
      model: 'oob',
      method: 'sc',
      serve: ['--oob-out', '{dir}/serve.oob'],
      pair: ['--oob-in', '{dir}/serve.oob'],
      authenticated: true,
    },
  ];

  /**
   * The controllers: our own, and (issue 16) virtual controllers playing the Pi 3B and the CSR8510, the
   * oldest Bluetooth versions among the profiles (4.1 and 4.0).
   */
  const CONTROLLERS = [
    { name: 'our virtual controller', args: [] as string[] },
    { name: 'the pi3b profile', args: ['--profile', 'pi3b'] },
    { name: 'the csr8510 profile', args: ['--profile', 'csr8510'] },
  ];
  const CASES = CONTROLLERS.flatMap((controller) => MODELS.map((m) => ({ ...m, controller })));

  it.each(CASES)(
    '$method $model over loopback TCP on $controller.name: both exit 0 and the keys printed agree; a second run re-encrypts from the bond files',
    async ({ model, method, serve: serveArgs, pair: pairArgs, authenticated, controller: played }) => {
      const controller = start(['controller', '--listen', 'tcp:127.0.0.1:0', '--json', ...played.args]);
      const { listen } = await controller.next('ready');
      const dir = scratchDir('ble-smp-processes-');
      // Static random addresses: each device keeps its identity (and so its bond file) from run to run.
      const serveCommon = ['--hci', String(listen), '--json', '--address', 'c6:00:00:00:00:01'];
      const pairCommon = ['--hci', String(listen), '--json', '--address', 'c6:00:00:00:00:02'];
      const inDir = (args: string[]) => args.map((arg) => arg.replace('{dir}', dir));
      const run = async () => {
        const serve = start([
          'serve',
          ...serveCommon,
          '--bonds',
          join(dir, 'serve.json'),
          '--once',
          ...inDir(serveArgs),
        ]);
        await serve.next('ready');
        const pair = start([
          'pair',
          ...pairCommon,
          '--bonds',
          join(dir, 'pair.json'),
          '--peer',
          'c6:00:00:00:00:01/random',
          ...inDir(pairArgs),
        ]);
        return { pair, serve };
      };

      const first = await run();
      const [central, peripheral] = await Promise.all([
        first.pair.next('paired'),
        first.serve.next('paired'),
      ]);
      expect(await first.pair.exited).toBe(0);
      expect(await first.serve.exited).toBe(0);
      for (const side of [central, peripheral]) {
        expect(side).toMatchObject({ method, model, keySize: 16, authenticated, bonded: true });
      }
      expect(central.received).toEqual(peripheral.distributed);
      expect(central.distributed).toEqual(peripheral.received);

      const second = await run();
      const [c2, p2] = await Promise.all([second.pair.next('encrypted'), second.serve.next('encrypted')]);
      expect(await second.pair.exited).toBe(0);
      expect(await second.serve.exited).toBe(0);
      for (const side of [c2, p2])
        expect(side).toMatchObject({ bonded: true, method, authenticated, keySize: 16 });

      controller.child.kill('SIGINT');
      expect(await controller.exited).toBe(0);
    },
    60_000,
  );
});
