/**
 * Listener lists as immutable arrays: adding or removing makes a new array,
 * so whoever is calling the listeners keeps iterating the list as it was when
 * the call began (a listener added during the call is not called, one removed
 * is still called), without copying on every call. An object with no
 * listener holds the one shared empty list: thousands of hosts and
 * controllers in one process pay nothing for lists they never use (a `Set`
 * costs about 150 octets even when empty).
 * @module
 */

/** The list with no listener, shared by every owner. */
export const NO_LISTENERS: readonly never[] = Object.freeze([]);

/**
 * The list with `listener` added at the end; the same list when it is already
 * there (a listener is in a list at most once, as in a `Set`).
 * @example
 * ```ts
 * let listeners: readonly PacketListener[] = NO_LISTENERS;
 * listeners = withListener(listeners, onPacket);
 * for (const listener of listeners) listener(packet);
 * ```
 */
export function withListener<L>(list: readonly L[], listener: L): readonly L[] {
  return list.includes(listener) ? list : [...list, listener];
}

/**
 * The list without `listener`; the same list when it is not there.
 * @example
 * ```ts
 * listeners = withoutListener(listeners, onPacket);
 * ```
 */
export function withoutListener<L>(list: readonly L[], listener: L): readonly L[] {
  const at = list.indexOf(listener);
  if (at < 0) return list;
  return list.length === 1 ? NO_LISTENERS : list.filter((_, i) => i !== at);
}
