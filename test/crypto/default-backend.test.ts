/**
 * The default backend: node:crypto (OpenSSL) under Node.js, the pure-JavaScript
 * backend where node:crypto is absent, either one chosen explicitly; the host
 * pairs on the default when given no toolbox.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type BenchRow, defaultBackendSummary } from '../../src/bench/crypto-bench.js';
import type { CryptoBackend } from '../../src/crypto/backend.js';
import { nobleBackend } from '../../src/crypto/backends/noble.js';
import { nodeBackend } from '../../src/crypto/backends/node.js';
import { defaultBackend, setDefaultBackend } from '../../src/crypto/default-backend.js';
import { DEBUG_PRIVATE_KEY, DEBUG_PUBLIC_KEY, derivePublicKey } from '../../src/crypto/p256.js';
import { Host } from '../../src/host/host.js';
import { acceptAll } from '../../src/smp/delegate.js';
import { VirtualAir } from '../../src/transport/virtual/air.js';
import { connectHosts, PERIPHERAL } from '../host/virtual-hosts.js';

type GetBuiltinModule = typeof process.getBuiltinModule;

/** A fresh copy of default-backend.ts, loaded with `process.getBuiltinModule` replaced by `replacement`. */
async function freshDefault(replacement: GetBuiltinModule | undefined): Promise<CryptoBackend> {
  const original = process.getBuiltinModule;
  vi.resetModules();
  (process as { getBuiltinModule: GetBuiltinModule | undefined }).getBuiltinModule = replacement;
  try {
    const module = await import('../../src/crypto/default-backend.js');
    return module.defaultBackend();
  } finally {
    process.getBuiltinModule = original;
    vi.resetModules();
  }
}

describe('the default backend', () => {
  it('is the node:crypto backend under Node.js: the very object ble-smp/crypto/node exports', () => {
    expect(defaultBackend()).toBe(nodeBackend);
    expect(defaultBackend().name).toBe('node');
    expect(derivePublicKey(DEBUG_PRIVATE_KEY)).toEqual(DEBUG_PUBLIC_KEY);
  });

  it('is the pure-JavaScript backend where node:crypto is absent', async () => {
    // A fresh module graph has its own nobleBackend object: compare names.
    expect((await freshDefault(undefined)).name).toBe('noble');
    // A runtime with getBuiltinModule but no node:crypto, or one that throws for it.
    expect((await freshDefault((() => undefined) as unknown as GetBuiltinModule)).name).toBe('noble');
    const throwing = (() => {
      throw new Error('no such module');
    }) as unknown as GetBuiltinModule;
    expect((await freshDefault(throwing)).name).toBe('noble');
  });

  it('is node again with getBuiltinModule restored (the fresh load is what decides)', async () => {
    const backend = await freshDefault(process.getBuiltinModule);
    expect(backend.name).toBe('node');
  });
});

describe('choosing a backend explicitly', () => {
  afterEach(() => {
    setDefaultBackend(nodeBackend);
  });

  it('setDefaultBackend(nobleBackend) makes the pure-JavaScript backend the default, and returns the previous one', () => {
    expect(setDefaultBackend(nobleBackend)).toBe(nodeBackend);
    expect(defaultBackend()).toBe(nobleBackend);
    expect(derivePublicKey(DEBUG_PRIVATE_KEY)).toEqual(DEBUG_PUBLIC_KEY);
    expect(setDefaultBackend(nodeBackend)).toBe(nobleBackend);
    expect(defaultBackend()).toBe(nodeBackend);
  });
});

describe('a host given no toolbox', () => {
  const open: Host[] = [];
  afterEach(async () => {
    await Promise.allSettled(open.splice(0).map((h) => h.close()));
    setDefaultBackend(nodeBackend);
  });

  it('pairs on the default backend', async () => {
    const used: string[] = [];
    /** The default backend, counting P-256 work. */
    const counting = (inner: CryptoBackend): CryptoBackend => ({
      ...inner,
      name: inner.name,
      e: (key, block) => inner.e(key, block),
      cmac: (key, fields) => inner.cmac(key, fields),
      p256GenerateKeyPair: () => {
        used.push(inner.name);
        return inner.p256GenerateKeyPair();
      },
      p256PublicKey: (privateKey) => inner.p256PublicKey(privateKey),
      p256Ecdh: (privateKey, peer) => {
        used.push(inner.name);
        return inner.p256Ecdh(privateKey, peer);
      },
    });
    setDefaultBackend(counting(defaultBackend()));
    const air = new VirtualAir();
    const c = await Host.open(air.createController(), { delegate: acceptAll });
    const p = await Host.open(air.createController({ address: PERIPHERAL }), { delegate: acceptAll });
    open.push(c, p);
    const links = await connectHosts(c, p);
    const result = await links.c.pair();
    expect(result.secureConnections).toBe(true);
    // At least the two key pairs and the two DHKeys, all on node:crypto.
    expect(used.length).toBeGreaterThanOrEqual(4);
    expect(new Set(used)).toEqual(new Set(['node']));
  });
});

describe('npm run bench', () => {
  it('names the default backend and its SC pairing speed-up over the other one', () => {
    const row = (name: string, node: number, noble: number): BenchRow => ({
      function: name,
      floorWork: '',
      floorOpsPerSecond: node,
      backends: { node: { opsPerSecond: node, ratio: 1 }, noble: { opsPerSecond: noble, ratio: 1 } },
    });
    expect(defaultBackendSummary([row('e', 1, 1), row('SC Numeric Comparison pairing', 2820, 142)])).toBe(
      'Default backend in this runtime: node (used by the host, the CLI and the adapters when given none), ' +
        '19.9x the SC pairings per second of noble.',
    );
  });
});
