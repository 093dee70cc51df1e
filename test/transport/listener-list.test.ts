/** Listener lists as immutable arrays (src/transport/listener-list.ts). */
import { describe, expect, it } from 'vitest';
import { NO_LISTENERS, withListener, withoutListener } from '../../src/transport/listener-list.js';

describe('listener lists', () => {
  const a = () => 'a';
  const b = () => 'b';

  it('adding makes a new list and leaves the old one as it was; a listener is there at most once', () => {
    const one = withListener(NO_LISTENERS, a);
    const two = withListener(one, b);
    expect(one).toEqual([a]);
    expect(two).toEqual([a, b]);
    expect(withListener(two, a)).toBe(two);
    expect(NO_LISTENERS).toEqual([]);
    expect(Object.isFrozen(NO_LISTENERS)).toBe(true);
  });

  it('removing makes a new list; the last one removed gives the shared empty list; an absent one changes nothing', () => {
    const two = withListener(withListener(NO_LISTENERS, a), b);
    const one = withoutListener(two, a);
    expect(one).toEqual([b]);
    expect(two).toEqual([a, b]);
    expect(withoutListener(one, a)).toBe(one);
    expect(withoutListener(one, b)).toBe(NO_LISTENERS);
  });
});
