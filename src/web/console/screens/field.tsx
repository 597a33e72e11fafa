import type { ComponentType } from 'preact';
import { AssessScreen } from '../field/assess.js';
import { CaseScreen } from '../field/case.js';
import { MyCases } from '../field/cases.js';
import { ConflictsScreen } from '../field/conflicts.js';
import { FieldHeader } from '../field/header.js';
import { openStore, wipeStore } from '../field/store.js';
import { refreshConflictCount, syncNow } from '../field/sync.js';
import { onSignedIn, onSigningOut } from '../shell.js';
import type { Screen } from './index.js';

/**
 * The assessor's screens: my cases, a case, the assessment form, the offline assessment day and its sync; the
 * conflicts of offline days also for the certifying officers of the body.
 */
export const fieldScreens: Screen[] = [
  { path: 'cases', ability: 'cases', nav: { label: 'field.nav.cases', order: 10 }, render: () => <MyCases /> },
  { path: 'cases/:id', ability: 'cases', render: (p) => <CaseScreen key={p.id} id={p.id!} /> },
  { path: 'cases/:id/assess', ability: 'assess', render: (p) => <AssessScreen key={p.id} id={p.id!} /> },
  { path: 'conflicts', ability: 'resolveConflicts', nav: { label: 'field.nav.conflicts', order: 20 }, render: () => <ConflictsScreen /> },
];
export const fieldHeader: ComponentType[] = [FieldHeader];

// The device's store of this account opens at sign-in (and after a reload, offline too); it stays locked until the
// assessor types the password (see field/vault.ts). Signing out sends what it can, then forgets the key and deletes
// the store (all but sealed entries the server has not confirmed: see wipeStore).
onSignedIn.push(async (s) => {
  // Someone who only reviews conflicts (an officer) never syncs, so the header's count is asked for here.
  if (s.abilities.resolveConflicts) void refreshConflictCount();
  if (!s.abilities.cases) return;
  await openStore(s.user.id);
  // Signed in again after the session ended mid-sync: the key is still in memory, so what waits goes now.
  void syncNow();
});
onSigningOut.push(async () => {
  await syncNow().catch(() => undefined);
  await wipeStore();
});
