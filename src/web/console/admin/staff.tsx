import { useState } from 'preact/hooks';
import type { ConsoleKey } from '../i18n/index.js';
import { countedPage, PAGE_SIZE, Pager, usePages } from '../pages.js';
import { day, query, said, session, t } from '../shell.js';
import { get, send } from './http.js';
import { BodyPicker, fields, Outcome, Problem, Table, useAction, useBodyChoice } from './ui.js';

const ROLES = ['assessor', 'moderator', 'certifying_officer', 'counsellor', 'admin'] as const;
type StaffRole = (typeof ROLES)[number];
const ROLE_NAMES: Record<StaffRole, ConsoleKey> = {
  assessor: 'role.assessor',
  moderator: 'role.moderator',
  certifying_officer: 'role.certifying_officer',
  counsellor: 'role.counsellor',
  admin: 'role.admin',
};

interface StaffAccount {
  id: string;
  name: string;
  email: string | null;
  role: StaffRole;
  issuerId: string | null;
  active: boolean;
  createdAt: string;
}

/** Staff accounts (an admin's): who works for which body, new accounts, and switching one off or on again. */
export function StaffScreen() {
  const choice = useBodyChoice(true);
  const { body, bodies } = choice;
  const [inactive, setInactive] = useState(false);
  const accounts = usePages(async (offset) => {
    const r = await get<{ staff: StaffAccount[]; total: number }>(`/staff${query({ issuerId: body, includeInactive: inactive || undefined, limit: PAGE_SIZE, offset })}`);
    return countedPage(r.staff, offset, r.total);
  }, [body, inactive]);
  const { data, error, reload } = accounts;
  const action = useAction();
  const [role, setRole] = useState<StaffRole>('assessor');
  const bodyName = (id: string | null) => (id ? (bodies.find((b) => b.id === id)?.name ?? id) : t('admin.staff.noBody'));

  const create = (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const f = fields(form);
    return action.run(async () => {
      const user = await send<{ id: string; name: string }>('POST', '/staff', {
        json: { name: f.name ?? '', email: f.email ?? '', role, issuerId: role === 'admin' ? null : (f.issuerId ?? null), password: (form.elements.namedItem('password') as HTMLInputElement).value },
      });
      form.reset();
      setRole('assessor');
      reload();
      return said('admin.staff.created', { name: user.name });
    });
  };
  const toggle = (a: StaffAccount) =>
    action.run(async () => {
      await send('PATCH', `/staff/${encodeURIComponent(a.id)}`, { json: { active: !a.active } });
      reload();
      return said(a.active ? 'admin.staff.deactivated' : 'admin.staff.reactivated', { name: a.name });
    });

  return (
    <>
      <h1>{t('admin.staff.title')}</h1>
      <div class="card filters">
        <BodyPicker id="staff-body" choice={choice} />
        <label class="check">
          <input type="checkbox" checked={inactive} onChange={(e) => setInactive((e.currentTarget as HTMLInputElement).checked)} /> {t('admin.staff.showInactive')}
        </label>
      </div>
      <Problem error={error} />
      <Outcome action={action} />
      <Table
        label={t('admin.staff.title')}
        class="staff stack"
        columns={['admin.staff.name', 'admin.staff.role', 'admin.staff.body', 'admin.staff.state']}
        rows={data?.items ?? []}
        rowKey={(a) => a.id}
        cells={(a) => [
          <>
            {a.name}
            <br />
            <span class="note">{a.email}</span>
          </>,
          t(ROLE_NAMES[a.role]),
          bodyName(a.issuerId),
          <>
            <span class="badge">{a.active ? t('admin.staff.active') : t('admin.staff.inactive')}</span>{' '}
            <span class="note">{t('admin.staff.since', { date: day(a.createdAt) })}</span>
            <br />
            {a.id !== session.value?.user.id && (
              <button type="button" class={a.active ? 'secondary' : ''} onClick={() => void toggle(a)} aria-label={`${a.active ? t('admin.staff.deactivate') : t('admin.staff.reactivate')}: ${a.name}`}>
                {a.active ? t('admin.staff.deactivate') : t('admin.staff.reactivate')}
              </button>
            )}
          </>,
        ]}
      />
      <Pager page={data} go={accounts.go} list={t('admin.staff.title')} />
      {data && <p class="note">{t('admin.staff.count', { n: data.total ?? data.items.length })}</p>}
      <form class="card" onSubmit={create}>
        <h2>{t('admin.staff.create')}</h2>
        <label for="staff-name">{t('admin.staff.name')}</label>
        <input id="staff-name" name="name" type="text" required maxLength={200} autocomplete="off" />
        <label for="staff-email">{t('signin.email')}</label>
        <input id="staff-email" name="email" type="email" required maxLength={254} autocomplete="off" />
        <label for="staff-role">{t('admin.staff.role')}</label>
        <select id="staff-role" name="role" value={role} onChange={(e) => setRole((e.currentTarget as HTMLSelectElement).value as StaffRole)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>{t(ROLE_NAMES[r])}</option>
          ))}
        </select>
        {role !== 'admin' && (
          <>
            <label for="staff-issuer">{t('admin.staff.body')}</label>
            <select id="staff-issuer" name="issuerId" required key={body}>
              {bodies.map((b) => (
                <option key={b.id} value={b.id} selected={b.id === body}>
                  {b.name}
                </option>
              ))}
            </select>
          </>
        )}
        <label for="staff-password">{t('signin.password')}</label>
        <input id="staff-password" name="password" type="password" required minLength={12} maxLength={1024} autocomplete="new-password" aria-describedby="staff-password-note" />
        <p class="note" id="staff-password-note">{t('admin.staff.passwordNote')}</p>
        <p>
          <button type="submit">{t('admin.staff.create')}</button>
        </p>
      </form>
    </>
  );
}
