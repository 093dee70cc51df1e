import { describe, expect, it } from 'vitest';
import { advertisingData } from '../../src/cli/advertising-data.js';
import { toHex } from '../../src/crypto/bytes.js';
import { Host } from '../../src/host/host.js';
import { VirtualAir } from '../../src/transport/virtual/air.js';

describe('serve --name: advertising data', () => {
  it('flags, then the complete name; a long name shortened at a character boundary to fit 31 octets', () => {
    expect(toHex(advertisingData())).toBe('020106');
    expect(toHex(advertisingData('speaker'))).toBe('0201060809737065616b6572');
    const long = advertisingData('ø'.repeat(20)); // 40 octets of UTF-8
    expect(long.length).toBeLessThanOrEqual(31);
    expect(long[4]).toBe(0x08); // Shortened Local Name
    expect(new TextDecoder('utf-8', { fatal: true }).decode(long.subarray(5))).toBe('ø'.repeat(13));
  });

  it('a scanner sees the name in the advertising report', async () => {
    const air = new VirtualAir();
    const scanner = await Host.open(air.createController());
    const speaker = await Host.open(air.createController());
    try {
      const seen = new Promise<Uint8Array>((resolve) =>
        scanner.once('advertisement', (ad) => resolve(ad.data)),
      );
      await scanner.startScanning();
      await speaker.startAdvertising({ data: advertisingData('pi speaker') });
      expect(new TextDecoder().decode((await seen).subarray(5))).toBe('pi speaker');
    } finally {
      await Promise.all([scanner.close(), speaker.close()]);
    }
  });
});
