import type { ComponentType } from 'preact';
import type { Screen } from './index.js';

/** The assessor's screens: my cases, a case, the assessment form, the offline assessment day and its sync. */
export const fieldScreens: Screen[] = [];
export const fieldHeader: ComponentType[] = [];
