/**
 * A least-recently-used Map with a fixed capacity. Model names come from clients, so
 * anything keyed by them must stay bounded.
 */
export class BoundedCache<K, V> {
  readonly #map = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: K): V | undefined {
    const value = this.#map.get(key);
    if (value !== undefined) {
      // Re-insert so Map order tracks recency.
      this.#map.delete(key);
      this.#map.set(key, value);
    }
    return value;
  }

  /** Forgets `key`; true when it was there. */
  delete(key: K): boolean {
    return this.#map.delete(key);
  }

  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.capacity) {
      const oldest = this.#map.keys().next();
      if (!oldest.done) this.#map.delete(oldest.value);
    }
  }
}
