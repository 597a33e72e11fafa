import { online, session, t } from '../shell.js';
import { counts } from './store.js';
import { serverConflicts, syncing } from './sync.js';

/**
 * In the header on every screen: what waits on this device to be sent, and the conflicts waiting for a person (for
 * whoever reviews them: the assessor, or a certifying officer of the body).
 */
export function FieldHeader() {
  const { pending, conflicts } = counts.value;
  const open = serverConflicts.value ?? conflicts;
  const abilities = session.value?.abilities;
  // Staff who never assess have nothing to sync: no count of what waits for them.
  const syncs = Boolean(abilities?.assess || pending);
  if (!syncs && !(abilities?.resolveConflicts && open > 0)) return null;
  return (
    <span class="field-header row">
      {syncs && (
        <a class={`badge field-pending${pending ? ' waiting' : ''}`} href="#/cases" aria-live="polite">
          {syncing.value && online.value ? t('field.sync.sending', { count: pending }) : t('field.sync.pending', { count: pending })}
        </a>
      )}
      {open > 0 && (
        <a class="badge nyc field-conflicts" href="#/conflicts">
          {t('field.sync.conflicts', { count: open })}
        </a>
      )}
    </span>
  );
}
