import type { Screen } from './index.js';

/** Moderation, certification (preview, issue, print, batches), revoke / re-issue / name correction. */
export const officeScreens: Screen[] = [];
