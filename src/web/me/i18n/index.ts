import { en, type MeCatalogue, type MeKey } from './en.js';
import { fil } from './fil.js';
import { id } from './id.js';
import { km } from './km.js';
import { lo } from './lo.js';
import { ms } from './ms.js';
import { my } from './my.js';
import { th } from './th.js';
import { vi } from './vi.js';

/** The returnee space's catalogues, in the verifier's format and languages (browser-safe). */
export const ME_CATALOGUES: Record<string, MeCatalogue> = { en, id, fil, th, vi, km, lo, my, ms };

export function meTranslate(lang: string, key: string, params: Record<string, string | number> = {}): string {
  const template = ME_CATALOGUES[lang]?.[key as MeKey] ?? (en as Record<string, string>)[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => (params[name] === undefined ? '' : String(params[name])));
}

export type { MeKey };
