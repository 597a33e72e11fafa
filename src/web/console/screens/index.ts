import type { ComponentType, JSX } from 'preact';
import type { ConsoleAbilities } from '../../../policy/abilities.js';
import type { ConsoleKey } from '../i18n/index.js';
import { adminScreens } from './admin.js';
import { fieldHeader, fieldScreens } from './field.js';
import { officeScreens } from './office.js';

/**
 * A screen of the console: a hash route (`cases/:id` matches `#/cases/42`), the ability it needs (from the access
 * policy, via GET /console/session), and, for screens in the navigation, its label and place.
 */
export interface Screen {
  path: string;
  ability: keyof ConsoleAbilities;
  nav?: { label: ConsoleKey; order: number };
  render: (params: Record<string, string>) => JSX.Element;
}

export const SCREENS: readonly Screen[] = [...fieldScreens, ...officeScreens, ...adminScreens];
/** Shown in the header on every screen (e.g. what waits to be synced). */
export const HEADER_WIDGETS: readonly ComponentType[] = [...fieldHeader];

/** The screen a hash path opens, with its parameters. */
export function match(path: string): { screen: Screen; params: Record<string, string> } | undefined {
  const parts = path.replace(/^\/+|\/+$/g, '').split('/');
  for (const screen of SCREENS) {
    const pattern = screen.path.split('/');
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    if (pattern.every((p, i) => (p.startsWith(':') ? ((params[p.slice(1)] = decodeURIComponent(parts[i]!)), true) : p === parts[i]))) return { screen, params };
  }
  return undefined;
}
