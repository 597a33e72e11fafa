import { admin } from './admin.js';
import { core } from './core.js';
import { field } from './field.js';
import { office } from './office.js';

/**
 * The console's catalogues, in the format every Tanda page uses (per language, a flat map of key → template with
 * `{name}` parameters), kept in one file per area of the console so each area's strings live beside each other.
 * English and Bahasa Indonesia are complete (tests/web/console-i18n.test.ts); another language joins by adding its
 * map to the areas, and until a key is translated the English text shows.
 */
const AREAS = [core, field, office, admin] as const;

type Merge<T> = (T extends unknown ? (x: T) => void : never) extends (x: infer I) => void ? I : never;
export type ConsoleKey = keyof Merge<(typeof AREAS)[number]['en']>;
export type ConsoleCatalogue = Partial<Record<ConsoleKey, string>>;

function merged(lang: string): ConsoleCatalogue {
  return Object.assign({}, ...AREAS.map((a) => (a as unknown as Record<string, Record<string, string>>)[lang] ?? {}));
}

export const CONSOLE_LANGUAGES = ['en', 'id'] as const;
export const CONSOLE_CATALOGUES: Record<string, ConsoleCatalogue> = Object.fromEntries(CONSOLE_LANGUAGES.map((l) => [l, merged(l)]));

export function consoleTranslate(lang: string, key: ConsoleKey, params: Record<string, string | number> = {}): string {
  const template = CONSOLE_CATALOGUES[lang]?.[key] ?? CONSOLE_CATALOGUES.en![key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => (params[name] === undefined ? '' : String(params[name])));
}
