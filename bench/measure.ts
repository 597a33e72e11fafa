/** Operations per second of an async function over a time window, after a short warm-up (sequential calls). */
export async function rate(fn: () => Promise<unknown>, seconds: number): Promise<number> {
  const warmUntil = performance.now() + 100;
  while (performance.now() < warmUntil) await fn();
  let n = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    await fn();
    n += 1;
  }
  return n / ((performance.now() - start) / 1000);
}

/** Median and 95th percentile of `runs` timed calls, in milliseconds. */
export async function percentiles(fn: () => Promise<unknown>, runs: number): Promise<{ median: number; p95: number }> {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { median: at(0.5), p95: at(0.95) };
}
