import { describe, expect, it } from 'vitest';
import type { HciPacket } from '../../src/hci/h4.js';
import { H4Transport } from '../../src/transport/base.js';
import { TransportError } from '../../src/transport/transport.js';

/** A transport whose medium loops written octets back, and counts releases. */
class Loop extends H4Transport {
  released: (Error | undefined)[] = [];
  throwOnRelease = false;
  constructor() {
    super('loop');
  }
  protected write(octets: Uint8Array): void {
    this.receive(octets);
  }
  protected release(error?: Error): Promise<void> {
    this.released.push(error);
    if (this.throwOnRelease) throw new Error('release failed');
    return Promise.resolve();
  }
  feed(octets: Uint8Array): void {
    this.receive(octets);
  }
  breakWith(error: Error): void {
    this.fail(error);
  }
}

const reset: HciPacket = { type: 'command', data: Uint8Array.of(0x03, 0x0c, 0x00) };

describe('H4Transport', () => {
  it('frames what it sends and delivers what it reads to every listener', () => {
    const loop = new Loop();
    const a: HciPacket[] = [];
    const b: HciPacket[] = [];
    loop.onPacket((p) => a.push(p));
    loop.onPacket((p) => b.push(p));
    loop.send(reset);
    expect(a).toEqual([reset]);
    expect(b).toEqual([reset]);
  });

  it('closes once: close() twice releases once, and listeners hear no error', async () => {
    const loop = new Loop();
    const heard: (Error | undefined)[] = [];
    loop.onClose((error) => heard.push(error));
    const first = loop.close();
    expect(loop.isOpen).toBe(false);
    expect(loop.close()).toBe(first);
    await first;
    expect(loop.released).toEqual([undefined]);
    expect(heard).toEqual([undefined]);
  });

  it('tells a close listener added after the close, asynchronously', async () => {
    const loop = new Loop();
    loop.breakWith(new TransportError('io', 'loop: gone'));
    await loop.close();
    let heard: Error | undefined | 'nothing' = 'nothing';
    loop.onClose((error) => {
      heard = error;
    });
    expect(heard).toBe('nothing');
    await Promise.resolve();
    expect(heard).toMatchObject({ code: 'io', message: 'loop: gone' });
  });

  it('refuses to send after the close, with code closed and the reason', async () => {
    const loop = new Loop();
    loop.breakWith(new TransportError('disconnected', 'loop: the other end closed the connection'));
    expect(() => loop.send(reset)).toThrow(TransportError);
    try {
      loop.send(reset);
    } catch (error) {
      expect((error as TransportError).code).toBe('closed');
      expect((error as TransportError).message).toBe(
        'loop: the transport is closed (loop: the other end closed the connection); open a new one',
      );
    }
  });

  it('delivers the packets before a framing error, then closes with code framing', async () => {
    const loop = new Loop();
    const packets: HciPacket[] = [];
    const closed = new Promise<Error | undefined>((resolve) => loop.onClose(resolve));
    loop.onPacket((p) => packets.push(p));
    loop.feed(Uint8Array.of(0x04, 0x0e, 0x01, 0x05, 0xff, 0x04));
    expect(packets).toEqual([{ type: 'event', data: Uint8Array.of(0x0e, 0x01, 0x05) }]);
    const error = await closed;
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'framing' });
    expect(error?.message).toMatch(
      /^loop: H4: octet 0xff is no packet indicator, so the stream is out of step/,
    );
    expect(error?.message).toMatch(/speaks H4/);
    expect(loop.released).toEqual([error]);
  });

  it('ignores reads after the close, and a failure after a failure', async () => {
    const loop = new Loop();
    const packets: HciPacket[] = [];
    loop.onPacket((p) => packets.push(p));
    const heard: (Error | undefined)[] = [];
    loop.onClose((error) => heard.push(error));
    const first = new TransportError('io', 'first');
    loop.breakWith(first);
    loop.breakWith(new TransportError('io', 'second'));
    loop.feed(Uint8Array.of(0x04, 0x0e, 0x00));
    await loop.close();
    expect(packets).toEqual([]);
    expect(heard).toEqual([first]);
    expect(loop.released).toEqual([first]);
  });

  it('stops delivering a read as soon as a listener closes the transport', () => {
    const loop = new Loop();
    const packets: HciPacket[] = [];
    loop.onPacket((p) => {
      packets.push(p);
      void loop.close();
    });
    loop.feed(Uint8Array.of(0x04, 0x0e, 0x00, 0x04, 0x0e, 0x00));
    expect(packets).toHaveLength(1);
  });

  it('still closes when releasing the medium throws', async () => {
    const loop = new Loop();
    loop.throwOnRelease = true;
    const heard: (Error | undefined)[] = [];
    loop.onClose((error) => heard.push(error));
    await loop.close();
    expect(heard).toEqual([undefined]);
  });
});
