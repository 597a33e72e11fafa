import type { MeCatalogue } from './en.js';
import { en } from './en.js';

export const vi: MeCatalogue = { ...en };
