import { signal } from '@preact/signals';
import type { ConsoleAbilities } from '../../policy/abilities.js';
import { api, ApiError, apiList, OfflineError } from '../api.js';
import { CONSOLE_CATALOGUES, consoleTranslate, type ConsoleKey } from './i18n/index.js';
import { openingLanguage } from '../language.js';

/*
 * What every screen of the console shares: the signed-in person, the language, the connection, the route, and the
 * hooks an area registers to act at sign-in and sign-out (the offline store derives and wipes its key there).
 */
export interface ConsoleSession {
  user: { id: string; name: string; email: string; role: string };
  body: { id: string; name: string } | null;
  abilities: ConsoleAbilities;
  idleMinutes: number;
  csrfToken: string;
}

export const lang = signal<string>(openingLanguage(Object.keys(CONSOLE_CATALOGUES), localStorage.getItem('tanda-console-lang')));
/** undefined: not known yet; null: signed out. */
export const session = signal<ConsoleSession | null | undefined>(undefined);
export const online = signal(typeof navigator === 'undefined' ? true : navigator.onLine);
export const route = signal(location.hash.slice(1) || '/');
export const t = (key: ConsoleKey, params: Record<string, string | number> = {}): string => consoleTranslate(lang.value, key, params);

/**
 * A message a screen keeps to show until the next action: what it says (a key and its values, or a refusal), not
 * its text, so it is worded when shown and follows a language switch made after it. A list is shown as one line;
 * a value may itself be said (a word of the catalogue inside the sentence).
 */
export type Said = { key: ConsoleKey; params?: SaidParams } | { refusal: unknown; wording: (e: unknown) => string } | readonly Said[];
type SaidParams = Record<string, string | number | Said>;
export const said = (key: ConsoleKey, params?: SaidParams): Said => ({ key, params });
/** A refusal, worded by `wording` when shown (a screen may word some codes its own way). */
export const refusal = (e: unknown, wording: (e: unknown) => string = errorText): Said => ({ refusal: e, wording });
export function words(s: Said): string {
  if (isList(s)) return s.map(words).join(' ');
  if ('refusal' in s) return s.wording(s.refusal);
  const params = Object.fromEntries(Object.entries(s.params ?? {}).map(([k, v]) => [k, typeof v === 'object' ? words(v) : v]));
  return t(s.key, params);
}
// Array.isArray does not narrow a readonly array type.
const isList = (s: Said): s is readonly Said[] => Array.isArray(s);

/** A message for the whole page (e.g. "signed out everywhere"), shown above the work area. */
export const flash = signal<Said | null>(null);

export const go = (to: string): void => {
  location.hash = to;
};
addEventListener('hashchange', () => {
  route.value = location.hash.slice(1) || '/';
});
addEventListener('online', () => {
  online.value = true;
});
addEventListener('offline', () => {
  online.value = false;
});

/** Run after a session is known (sign-in, reload) and before the screens show; e.g. open the offline store. */
export const onSignedIn: Array<(s: ConsoleSession) => Promise<void>> = [];
/** Run before a sign-out request leaves; e.g. wipe the offline store's key. */
export const onSigningOut: Array<() => Promise<void>> = [];

/** One sentence for an error a screen cannot handle itself. */
export function errorText(e: unknown): string {
  if (e instanceof OfflineError) return t('error.offline');
  if (e instanceof ApiError) {
    if (e.status === 403) return t('error.forbidden');
    if (e.status === 404) return t('error.notFound');
    return t('error.generic', { code: e.code });
  }
  return t('error.generic', { code: 'client' });
}

/** A query string from the filled-in values only (empty when there are none). */
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Date part of an ISO timestamp, as the console shows dates (unambiguous across the languages it serves). */
export const day = (iso: string | null | undefined): string => (iso ? iso.slice(0, 10) : '');

/**
 * The screens' way to call the API: a 401 means the session ended (idle or absolute expiry, signed out elsewhere),
 * so the page goes back to sign-in instead of each screen handling it.
 */
export function call<T>(method: string, url: string, body?: unknown, init: RequestInit = {}): Promise<T> {
  return endingSessionOn401(api<T>(method, url, body, init));
}

/** A page of a list route that counts its matches in X-Total-Count (GET /cases), with `call`'s handling of a 401. */
export function callList<T>(url: string): Promise<{ items: T[]; total: number }> {
  return endingSessionOn401(apiList<T>(url));
}

async function endingSessionOn401<T>(answer: Promise<T>): Promise<T> {
  try {
    return await answer;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401 && session.value) {
      flash.value = said('session.expired');
      session.value = null;
    }
    throw e;
  }
}
