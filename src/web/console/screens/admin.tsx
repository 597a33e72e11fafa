import type { Screen } from './index.js';

/** Cohort import, the registry (frameworks, mappings, qualifications, accreditations, centres, staff, body profile), statistics. */
export const adminScreens: Screen[] = [];
