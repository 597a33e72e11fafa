import { useState } from 'preact/hooks';
import { said, t, words, type Said } from '../shell.js';
import { unlock, vault } from './store.js';
import { syncNow } from './sync.js';

/**
 * Asks for the console password that seals this device's offline cases (vault.ts): the first time to protect them,
 * after a reload to open them again. Checked on the device, so it works with no network.
 */
export function Unlock({ onDone }: { onDone?: () => void }) {
  const [error, setError] = useState<Said | null>(null);
  const [busy, setBusy] = useState(false);
  const first = !vault.value.exists;
  const submit = async (e: Event) => {
    e.preventDefault();
    const password = String(new FormData(e.currentTarget as HTMLFormElement).get('password') ?? '');
    setBusy(true);
    setError(null);
    const ok = await unlock(password).catch(() => false);
    setBusy(false);
    if (!ok) return setError(said('field.unlock.wrong'));
    void syncNow();
    onDone?.();
  };
  return (
    <form class="card field-unlock" onSubmit={submit}>
      <h2>{first ? t('field.unlock.protectTitle') : t('field.unlock.title')}</h2>
      <p class="note">{first ? t('field.unlock.protectNote') : t('field.unlock.note')}</p>
      <label for="field-unlock-password">{t('field.unlock.password')}</label>
      <input id="field-unlock-password" name="password" type="password" autocomplete="current-password" required minLength={1} />
      <p>
        <button type="submit" disabled={busy}>{first ? t('field.unlock.protect') : t('field.unlock.submit')}</button>
      </p>
      {busy && <p role="status">{t('field.unlock.working')}</p>}
      {error && <p class="error" role="alert">{words(error)}</p>}
    </form>
  );
}
