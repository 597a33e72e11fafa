import type { MeCatalogue } from './en.js';
import { en } from './en.js';

export const id: MeCatalogue = { ...en };
