import { useEffect, useState } from 'preact/hooks';
import { t } from './shell.js';
import { useLoad, type Loaded } from './load.js';

/** How many entries a console list shows at a time: a phone scrolls through 50 rows, and the answer stays small. */
export const PAGE_SIZE = 50;

/** One page of a list: its entries, where it starts, and how many match in all when the server counts them. */
export interface Page<T> {
  items: T[];
  offset: number;
  /** Unknown for a route that does not count (GET /qualifications): then `more` says whether a next page exists. */
  total: number | null;
  more: boolean;
}

/** A page from a route that counts its matches (X-Total-Count, or a `total` in the body). */
export const countedPage = <T,>(items: T[], offset: number, total: number): Page<T> => ({ items, offset, total, more: offset + items.length < total });

/**
 * A page from a route that does not count: asked for one entry more than the page shows (`limit = size + 1`), so
 * the extra one tells whether a next page exists.
 */
export const uncountedPage = <T,>(items: T[], offset: number, size = PAGE_SIZE): Page<T> => ({ items: items.slice(0, size), offset, total: null, more: items.length > size });

/**
 * A list loaded a page at a time (through `useLoad`, so a late answer for another page is dropped). Changing `deps`
 * (a filter, a body) starts again at the first page. A page emptied meanwhile (its last case certified elsewhere, or
 * by this person) steps back to the last page that has entries.
 */
export function usePages<P extends Page<unknown>>(load: ((offset: number) => Promise<P>) | null, deps: readonly unknown[], size = PAGE_SIZE): Loaded<P> & { offset: number; go: (offset: number) => void } {
  const key = JSON.stringify(deps);
  const [at, setAt] = useState({ key, offset: 0 });
  const offset = at.key === key ? at.offset : 0;
  const loaded = useLoad(load && (() => load(offset)), [key, offset]);
  const page = loaded.data;
  useEffect(() => {
    if (page && page.items.length === 0 && page.offset > 0) {
      setAt({ key, offset: page.total ? Math.floor((page.total - 1) / size) * size : Math.max(0, page.offset - size) });
    }
  }, [page]);
  return { ...loaded, offset, go: (o: number) => setAt({ key, offset: Math.max(0, o) }) };
}

/**
 * Previous / Next under a list, with where the page stands ("51–100 of 230"); nothing when the list fits one page.
 * The buttons stay enabled while a page loads, so keyboard focus is not thrown off them; a second click before the
 * page arrives asks for the same page again.
 */
export function Pager({ page, size = PAGE_SIZE, go, list }: { page: Page<unknown> | undefined; size?: number; go: (offset: number) => void; list: string }) {
  if (!page || (page.offset === 0 && !page.more)) return null;
  const from = page.items.length ? page.offset + 1 : page.offset;
  const to = page.offset + page.items.length;
  return (
    <nav class="pager" aria-label={t('common.pages', { list })}>
      <button type="button" class="secondary" disabled={page.offset === 0} onClick={() => go(page.offset - size)}>
        {t('common.previous')}
      </button>
      <span role="status">{page.total === null ? `${from}–${to}` : t('common.range', { from, to, total: page.total })}</span>
      <button type="button" class="secondary" disabled={!page.more} onClick={() => go(page.offset + size)}>
        {t('common.next')}
      </button>
    </nav>
  );
}
