import { en, type Catalogue, type MessageKey } from './en.js';
import { fil } from './fil.js';
import { id } from './id.js';
import { km } from './km.js';
import { lo } from './lo.js';
import { ms } from './ms.js';
import { my } from './my.js';
import { th } from './th.js';
import { vi } from './vi.js';

/** One catalogue per language (browser-safe); shared by the web verifier, the CLI and API clients via message keys. */
export const LANGUAGES = {
  en: { name: 'English', catalogue: en as Catalogue },
  id: { name: 'Bahasa Indonesia', catalogue: id },
  fil: { name: 'Filipino', catalogue: fil },
  th: { name: 'ไทย', catalogue: th },
  vi: { name: 'Tiếng Việt', catalogue: vi },
  km: { name: 'ខ្មែរ', catalogue: km },
  lo: { name: 'ລາວ', catalogue: lo },
  my: { name: 'မြန်မာ', catalogue: my },
  ms: { name: 'Bahasa Melayu', catalogue: ms },
} as const;
export type Language = keyof typeof LANGUAGES;

export const isLanguage = (v: string): v is Language => Object.hasOwn(LANGUAGES, v);

/** The text of a key in `lang`, falling back to English, with `{param}` placeholders filled in. */
export function translate(lang: Language, key: string, params: Record<string, string | number> = {}): string {
  const template = LANGUAGES[lang].catalogue[key as MessageKey] ?? (en as Record<string, string>)[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => (params[name] === undefined ? '' : String(params[name])));
}

export type { MessageKey };
