/**
 * Two ble-smp sessions pair with each other in memory, with no controller:
 * LE Secure Connections, Numeric Comparison, both users confirming the same
 * six digits. Run with `npx tsx examples/pair-in-memory.ts`.
 */
import { fixedAnswers, IoCapability, pairInMemory } from 'ble-smp/smp';

/** Pairs a central and a sensor; returns what each side saw and the outcome. */
export async function pairCentralAndSensor(): Promise<string[]> {
  const central = { address: Uint8Array.of(0x70, 0x50, 0x15, 0xeb, 0x27, 0xb8), type: 0 as const };
  const sensor = { address: Uint8Array.of(0xe0, 0xf3, 0x76, 0x4c, 0xa7, 0xd2), type: 1 as const };
  const policy = { ioCapability: IoCapability.DisplayYesNo };
  const seen: string[] = [];
  const user = (name: string) =>
    fixedAnswers({
      confirmNumber: true,
      onShown: (_kind, value) => seen.push(`${name} confirms ${String(value).padStart(6, '0')}`),
    });
  const run = await pairInMemory(
    {
      options: { local: central, peer: sensor, policy, identity: { address: central } },
      delegate: user('central'),
    },
    {
      options: { local: sensor, peer: central, policy, identity: { address: sensor } },
      delegate: user('sensor'),
    },
  );
  for (const [role, outcome] of Object.entries({ central: run.initiator, sensor: run.responder })) {
    if (outcome.status !== 'completed') {
      seen.push(`${role}: ${outcome.status}`);
      continue;
    }
    const { secureConnections, model, authenticated, keySize } = outcome.result;
    seen.push(
      `${role}: ${secureConnections ? 'LE Secure Connections' : 'LE legacy'}, ${model}, ${authenticated ? 'authenticated' : 'unauthenticated'}, ${keySize}-octet key`,
    );
  }
  return seen;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log((await pairCentralAndSensor()).join('\n'));
