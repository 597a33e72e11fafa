import { admin } from './admin.js';
import { core } from './core.js';
import { field } from './field.js';
import { fil } from './fil.js';
import { id } from './id.js';
import { km } from './km.js';
import { lo } from './lo.js';
import { ms } from './ms.js';
import { my } from './my.js';
import { office } from './office.js';
import { th } from './th.js';
import { vi } from './vi.js';

/**
 * The console's catalogues, in the format every Tanda page uses (per language, a flat map of key → template with
 * `{name}` parameters). The English source lives in one file per area of the console, so each area's strings sit
 * together; each other language is one file typed as complete, so a key added in English without its translations
 * does not compile. tests/web/console-i18n.test.ts checks that no line was left in English.
 */
const en = { ...core, ...field, ...office, ...admin };

export type ConsoleKey = keyof typeof en;
export type ConsoleStrings = Record<ConsoleKey, string>;

export const CONSOLE_CATALOGUES: Record<string, ConsoleStrings> = { en, id, fil, th, vi, km, lo, my, ms };
export const CONSOLE_LANGUAGES = Object.keys(CONSOLE_CATALOGUES);

export function consoleTranslate(lang: string, key: ConsoleKey, params: Record<string, string | number> = {}): string {
  const template = CONSOLE_CATALOGUES[lang]?.[key] ?? en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => (params[name] === undefined ? '' : String(params[name])));
}
