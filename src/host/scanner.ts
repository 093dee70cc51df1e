/**
 * Scanning on a host: the advertisers in range, reported as they are heard,
 * with the identity of a bonded peer behind a resolvable private address.
 * @module
 */
import type { Advertisement } from './advertisement.js';
import {
  type Advertiser,
  type AdvertiserChange,
  AdvertiserTable,
  type AdvertiserTableOptions,
} from './advertisers.js';
import { Emitter } from './emitter.js';
import type { Host } from './host.js';
import type { ScanOptions } from './host-options.js';

/** Events of a {@link Scanner}. */
export interface ScannerEvents {
  /** An advertiser heard for the first time. */
  advertiser: [advertiser: Advertiser];
  /** An advertiser changed in a way worth reporting (see {@link AdvertiserChange}). */
  change: [advertiser: Advertiser, changes: readonly AdvertiserChange[]];
}

/** What a {@link Scanner} needs of a host: its advertising reports, and scanning on and off. */
export type ScanHost = Pick<Host, 'on' | 'startScanning' | 'stopScanning'>;

/** Options of {@link Scanner.find}. */
export interface FindOptions {
  /** Give up after this many milliseconds (default 10,000). */
  readonly timeoutMs?: number;
  /** Give up when this aborts. */
  readonly signal?: AbortSignal;
}

/**
 * Scans on a host and keeps the advertisers heard ({@link AdvertiserTable}):
 * an `advertiser` event for each new one, a `change` event when one changes
 * in a way worth reporting. The host resolves each RPA through its bond
 * store's IRKs, so a bonded peer on a new RPA is the same advertiser, with its
 * identity.
 * @example
 * ```ts
 * const scanner = new Scanner(host);
 * scanner.on('advertiser', (a) => console.log(formatAddress(a.address.address), a.name, a.rssi));
 * await scanner.start(); // active, every report: names from scan responses, RSSI updates
 * setTimeout(() => void scanner.stop(), 5000);
 * ```
 */
export class Scanner extends Emitter<ScannerEvents> {
  readonly #host: ScanHost;
  readonly #table: AdvertiserTable;
  #off: (() => void) | undefined;

  constructor(host: ScanHost, options: AdvertiserTableOptions = {}) {
    super();
    this.#host = host;
    this.#table = new AdvertiserTable(options);
  }

  /**
   * Every advertiser heard so far, in the order first heard.
   * @example
   * ```ts
   * console.log(`${scanner.advertisers.length} advertisers in range`);
   * ```
   */
  get advertisers(): Advertiser[] {
    return this.#table.advertisers;
  }

  /**
   * Starts scanning. By default active (scan requests fetch the scan
   * response, where names often are) with every report passed on (no
   * duplicate filtering, so RSSI and name changes are heard).
   * @example
   * ```ts
   * await scanner.start({ active: false }); // passive: nothing sent on the air
   * ```
   */
  async start(options: ScanOptions = {}): Promise<void> {
    this.#off ??= this.#host.on('advertisement', (ad) => this.observe(ad));
    try {
      await this.#host.startScanning({ active: true, filterDuplicates: false, ...options });
    } catch (error) {
      this.#off?.();
      this.#off = undefined;
      throw error;
    }
  }

  /**
   * Stops scanning; the advertisers heard are kept.
   * @example
   * ```ts
   * await scanner.stop();
   * ```
   */
  async stop(): Promise<void> {
    this.#off?.();
    this.#off = undefined;
    await this.#host.stopScanning();
  }

  /**
   * Takes one advertising report, as the host's `advertisement` event gives
   * it (start() does this), and emits what it changed.
   * @example
   * ```ts
   * host.on('advertisement', (ad) => scanner.observe(ad)); // without start(): someone else scans
   * ```
   */
  observe(ad: Advertisement): void {
    const update = this.#table.observe(ad);
    if (update.kind === 'new') this.emit('advertiser', update.advertiser);
    else if (update.kind === 'changed') this.emit('change', update.advertiser, update.changes);
  }

  /**
   * The first advertiser, heard already or from now on, that `matches`;
   * undefined when none is heard within the timeout or `signal` aborts.
   * Scanning must be on (start()).
   * @example
   * ```ts
   * const speaker = await scanner.find((a) => a.connectable && a.name === 'speaker', { timeoutMs: 5000 });
   * if (speaker) await host.connect(speaker.address.address, speaker.address.type);
   * ```
   */
  find(
    matches: (advertiser: Advertiser) => boolean,
    options: FindOptions = {},
  ): Promise<Advertiser | undefined> {
    const heard = this.advertisers.find(matches);
    if (heard) return Promise.resolve(heard);
    const { signal } = options;
    if (signal?.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const check = (advertiser: Advertiser) => {
        if (matches(advertiser)) done(advertiser);
      };
      const offNew = this.on('advertiser', check);
      const offChange = this.on('change', check);
      const timer = setTimeout(() => done(undefined), options.timeoutMs ?? 10_000);
      const onAbort = () => done(undefined);
      signal?.addEventListener('abort', onAbort, { once: true });
      function done(result: Advertiser | undefined) {
        offNew();
        offChange();
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(result);
      }
    });
  }
}
