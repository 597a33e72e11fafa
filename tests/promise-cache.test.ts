import { describe, expect, it } from 'vitest';
import { PromiseCache } from '../src/promise-cache.js';

describe('PromiseCache', () => {
  it('shares one promise per key', async () => {
    const cache = new PromiseCache<string, number>(8);
    let made = 0;
    const make = async () => (made += 1);
    const [a, b] = await Promise.all([cache.get('k', make), cache.get('k', make)]);
    expect([a, b, made]).toEqual([1, 1, 1]);
  });

  it('forgets a rejected promise so the next call tries again', async () => {
    const cache = new PromiseCache<string, number>(8);
    await expect(cache.get('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await Promise.resolve();
    expect(cache.has('k')).toBe(false);
    expect(await cache.get('k', async () => 2)).toBe(2);
  });

  it('drops the oldest key when full', async () => {
    const cache = new PromiseCache<number, number>(2);
    for (const k of [1, 2, 3]) await cache.get(k, async () => k);
    expect([cache.has(1), cache.has(2), cache.has(3)]).toEqual([false, true, true]);
    expect(await Promise.all(cache.values())).toEqual([2, 3]);
  });
});
