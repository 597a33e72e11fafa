/**
 * A bounded map of in-flight or settled results: callers asking for the same key share one promise, a rejected
 * promise is forgotten so the next call tries again, and when full the oldest key goes first.
 */
export class PromiseCache<K, V> {
  private readonly map = new Map<K, Promise<V>>();

  constructor(private readonly max: number) {}

  get(key: K, make: () => Promise<V>): Promise<V> {
    const known = this.map.get(key);
    if (known) return known;
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value!);
    const made = make();
    made.catch(() => {
      if (this.map.get(key) === made) this.map.delete(key);
    });
    this.map.set(key, made);
    return made;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  values(): Promise<V>[] {
    return [...this.map.values()];
  }
}
