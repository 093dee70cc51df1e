/**
 * Reproduces three Core specification sample values with the toolbox, on both
 * backends: c1 (Vol 3 Part H 2.2.3), f5 (Appendix D.3) and P-256 ECDH (Vol 2
 * Part G 7.1.2.1). Every value is in wire order, as on air and in HCI.
 *
 * Run after `npm run build` with `node --import tsx examples/reproduce-spec-vectors.ts`,
 * or copy it into a project that depends on ble-smp.
 */
import { c1, dhKey, f5, fromHex, nobleBackend, toHex } from 'ble-smp/crypto';
import { nodeBackend } from 'ble-smp/crypto/node';

/** Returns one line per value: name, backend, hex. */
export function reproduce(): string[] {
  const lines: string[] = [];
  for (const backend of [nobleBackend, nodeBackend]) {
    const confirm = c1(
      new Uint8Array(16), // TK = 0 (Just Works)
      fromHex('e02e70c64e2788630e6fad5621d58357'), // r
      fromHex('01010000100707'), // Pairing Request as sent
      fromHex('02030000080005'), // Pairing Response as sent
      1, // initiator address type: random
      fromHex('a6a5a4a3a2a1'), // initiator address, as in HCI
      0, // responder address type: public
      fromHex('b6b5b4b3b2b1'),
      backend,
    );
    lines.push(`c1   ${backend.name.padEnd(5)} ${toHex(confirm)}`);

    const { ltk } = f5(
      fromHex('98a6bf73f3348d86f166f8b4136b79999b7d390aa610103405adc857a33402ec'), // DHKey
      fromHex('abae2b71ecb2ffff3e7377d15484cbd5'), // Na
      fromHex('cfc43dfff78365216e5fa725cce7e8a6'), // Nb
      fromHex('cebf3737125600'), // A: address then type octet
      fromHex('c1cf2d7013a700'), // B
      backend,
    );
    lines.push(`f5   ${backend.name.padEnd(5)} ${toHex(ltk)}`);

    const dh = dhKey(
      fromHex('bd1a3ccda6b8995899b740eb7b60ff4a503f10d2e3b3c974385fc5a3d4f6493f'), // private key A
      fromHex(
        '90a1aa2fb27790559fa61586fd8ab547004c9ef184225909961daf1ff0f0a11e' + // public key B: X
          '4a21b115f9af895f76368ee230112d476051b89a3a70567337ad9d423ef3554c', // then Y
      ),
      backend,
    );
    lines.push(`ecdh ${backend.name.padEnd(5)} ${toHex(dh)}`);
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(reproduce().join('\n'));
