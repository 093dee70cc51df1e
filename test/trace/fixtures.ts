/** The real captures under test/fixtures/traces, and our own captures made in-process. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEMO_MODELS, runDemoPairing } from '../../src/cli/commands/demo.js';
import { BtsnoopWriter } from '../../src/trace/btsnoop-writer.js';

export const fixture = (name: string): Uint8Array =>
  readFileSync(resolve(import.meta.dirname, '../fixtures/traces', name));

export const MAILING_LIST = 'mailing-list-2019-legacy-jw-keydist-violation.btmon.txt';

/** A btsnoop capture (datalink 1002 or 2001) of the central's HCI while it pairs in `modelId`. */
export async function ownCapture(modelId: string, datalink: 1002 | 2001 = 1002): Promise<Uint8Array> {
  const model = DEMO_MODELS.find((m) => m.id === modelId)!;
  const chunks: Uint8Array[] = [];
  const writer = new BtsnoopWriter({ write: (chunk) => chunks.push(chunk) }, datalink);
  let time = Date.UTC(2026, 0, 1);
  const outcome = await runDemoPairing(model, undefined, false, (direction, packet) => {
    time += 1;
    writer.record(direction, packet, time);
  });
  await writer.close();
  if (!outcome.result) throw new Error(`demo pairing ${modelId} failed: ${outcome.error}`);
  return Buffer.concat(chunks);
}
