/**
 * Changes to process.env for a test, undone in the same object. Files share a worker's process (isolate false), so
 * a change left behind reaches the next file; and `process.env = saved` is no undo: it swaps the object, while
 * vitest's vi.stubEnv deletes through a reference to the original one — a stub made after the swap then outlives
 * its unstub (a later server spawned with the leftover TANDA_PUBLIC_URL).
 */
export function setEnv(changes: Record<string, string | undefined>): () => void {
  const before = Object.fromEntries(Object.keys(changes).map((k) => [k, process.env[k]]));
  apply(changes);
  return () => apply(before);
}

export async function withEnv<T>(changes: Record<string, string | undefined>, run: () => Promise<T>): Promise<T> {
  const restore = setEnv(changes);
  try {
    return await run();
  } finally {
    restore();
  }
}

function apply(values: Record<string, string | undefined>): void {
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
}
