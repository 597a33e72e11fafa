import { CohortImportScreen } from '../admin/cohort.js';
import { ProfileScreen } from '../admin/profile.js';
import { FrameworkScreen, RegistryScreen } from '../admin/registry.js';
import { StaffScreen } from '../admin/staff.js';
import { StatisticsScreen } from '../admin/statistics.js';
import type { Screen } from './index.js';

/** Cohort import, the registry (frameworks, mappings, qualifications, accreditations, centres, staff, body profile), statistics. */
export const adminScreens: Screen[] = [
  { path: 'cohort-import', ability: 'importCohort', nav: { label: 'admin.nav.cohort', order: 50 }, render: () => <CohortImportScreen /> },
  { path: 'registry', ability: 'manageRegistry', nav: { label: 'admin.nav.registry', order: 55 }, render: () => <RegistryScreen /> },
  { path: 'registry/frameworks/:id', ability: 'manageRegistry', render: (p) => <FrameworkScreen id={p.id!} /> },
  { path: 'registry/:tab', ability: 'manageRegistry', render: (p) => <RegistryScreen tab={p.tab} /> },
  { path: 'staff', ability: 'manageAccounts', nav: { label: 'admin.nav.staff', order: 58 }, render: () => <StaffScreen /> },
  { path: 'body-profile', ability: 'manageBodyProfile', nav: { label: 'admin.nav.profile', order: 60 }, render: () => <ProfileScreen /> },
  { path: 'statistics', ability: 'statistics', nav: { label: 'admin.nav.statistics', order: 65 }, render: () => <StatisticsScreen /> },
];
