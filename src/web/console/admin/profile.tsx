import { useState } from 'preact/hooks';
import { ApiError } from '../../api.js';
import type { ConsoleKey } from '../i18n/index.js';
import { day, t } from '../shell.js';
import { useLoad } from '../load.js';
import { base64, get, send } from './http.js';
import { BodyPicker, Problem, useBodyChoice } from './ui.js';

const SLOTS = ['logo', 'seal', 'signature'] as const;
type Slot = (typeof SLOTS)[number];
const SLOT_NAMES: Record<Slot, ConsoleKey> = { logo: 'admin.profile.logo', seal: 'admin.profile.seal', signature: 'admin.profile.signature' };

interface Profile {
  issuerId: string;
  signatoryName: string;
  signatoryTitle: string;
  images: Record<Slot, { type: string; width: number; height: number; bytes: number } | null>;
  updatedAt: string;
}

/**
 * What a body's certificates print of it: the signatory, and the logo, seal and signature images. A certifying
 * officer edits their own body's; an admin picks the body.
 */
export function ProfileScreen() {
  const choice = useBodyChoice();
  const { body } = choice;
  const { data, error } = useLoad(body ? () => get<Profile>(`/issuers/${encodeURIComponent(body)}/profile`) : null, [body]);
  // The profile as last saved here (the loaded one until then), and whether to say so.
  const [saved, setSaved] = useState<Profile | null>(null);
  const [notice, setNotice] = useState(false);
  const [sent, setSent] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // A body with no profile yet answers 404: that is an empty form, not an error.
  const missing = error instanceof ApiError && error.status === 404;
  const profile = saved?.issuerId === body ? saved : data;

  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const el = (name: string) => form.elements.namedItem(name) as HTMLInputElement;
    setSent(null);
    setNotice(false);
    setBusy(true);
    try {
      const json: Record<string, string | null> = { signatoryName: el('signatoryName').value.trim(), signatoryTitle: el('signatoryTitle').value.trim() };
      for (const slot of SLOTS) {
        const file = el(slot).files?.[0];
        // Absent keeps the image; null removes it.
        if (file) json[slot] = await base64(file);
        else if (el(`remove-${slot}`)?.checked) json[slot] = null;
      }
      setSaved(await send<Profile>('PUT', `/issuers/${encodeURIComponent(body)}/profile`, { json }));
      setNotice(true);
      for (const slot of SLOTS) el(slot).value = '';
    } catch (err) {
      setSent(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>{t('admin.profile.title')}</h1>
      <p class="note">{t('admin.profile.intro')}</p>
      <BodyPicker id="profile-body" choice={choice} onChange={() => { setSaved(null); setNotice(false); }} />
      {!missing && <Problem error={error} />}
      {body && (profile || missing) && (
        <form class="card" key={`${body}-${profile?.updatedAt ?? 'new'}`} onSubmit={submit}>
          {missing && !profile && <p class="note">{t('admin.profile.none')}</p>}
          <label for="profile-name">{t('admin.profile.signatoryName')}</label>
          <input id="profile-name" name="signatoryName" type="text" required maxLength={120} defaultValue={profile?.signatoryName ?? ''} />
          <label for="profile-title">{t('admin.profile.signatoryTitle')}</label>
          <input id="profile-title" name="signatoryTitle" type="text" required maxLength={160} defaultValue={profile?.signatoryTitle ?? ''} />
          {SLOTS.map((slot) => {
            const image = profile?.images[slot] ?? null;
            return (
              <fieldset key={slot}>
                <legend>{t(SLOT_NAMES[slot])}</legend>
                <p class="note">
                  {image ? t('admin.profile.imageNow', { type: image.type.replace('image/', '').toUpperCase(), w: image.width, h: image.height, kb: Math.ceil(image.bytes / 1024) }) : t('admin.profile.noImage')}
                </p>
                <label for={`profile-${slot}`}>{t('admin.profile.newImage')}</label>
                <input id={`profile-${slot}`} name={slot} type="file" accept="image/png,image/jpeg" />
                {image && (
                  <label class="check">
                    <input name={`remove-${slot}`} type="checkbox" /> {t('admin.profile.remove')}
                  </label>
                )}
              </fieldset>
            );
          })}
          <p>
            <button type="submit" disabled={busy}>{t('common.save')}</button>
          </p>
          {notice && saved && <p class="ok" role="status">{t('admin.profile.saved', { date: day(saved.updatedAt) })}</p>}
          <Problem error={sent} />
        </form>
      )}
    </>
  );
}
