import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError } from '../../api.js';
import type { ConsoleKey } from '../i18n/index.js';
import { useLoad } from '../load.js';
import { errorText, session, t, words, type Said } from '../shell.js';
import { get } from './http.js';

/** The refusals the admin forms meet, in words; any other code falls back to the console's general sentence. */
const REFUSALS: Record<string, ConsoleKey> = {
  validation_failed: 'admin.refused.validation',
  unknown_field: 'admin.refused.validation',
  invalid_text: 'admin.refused.validation',
  already_exists: 'admin.refused.exists',
  import_failed: 'admin.refused.import',
  not_found: 'admin.refused.notFound',
  forbidden: 'admin.refused.forbidden',
  csrf_failed: 'admin.refused.forbidden',
  invalid_image: 'admin.refused.image',
  image_too_large: 'admin.refused.imageSize',
  payload_too_large: 'admin.refused.tooLarge',
  unsupported_media_type: 'admin.refused.mediaType',
  invalid_json: 'admin.refused.json',
  conflict: 'admin.refused.conflict',
  not_accredited: 'admin.refused.notAccredited',
};

interface RowError {
  row?: number | null;
  field?: string;
  message?: string;
}

/** A refusal shown plainly: what it means, the server's exact words, and each row an import names. */
export function Problem({ error }: { error: unknown }) {
  if (!error) return null;
  const known = error instanceof ApiError ? REFUSALS[error.code] : undefined;
  const sentence = known ? t(known) : errorText(error);
  const detail = error instanceof ApiError ? error.serverMessage : '';
  const details = error instanceof ApiError ? (error.details as { errors?: RowError[] } | undefined) : undefined;
  const rows = Array.isArray(details?.errors) ? details.errors : [];
  return (
    <div class="error" role="alert">
      <p>
        {sentence} {error instanceof ApiError && <span class="badge">{error.code}</span>}
      </p>
      {detail && <p class="note">{detail}</p>}
      {rows.length > 0 && (
        <ul>
          {rows.map((r, i) => (
            <li key={i}>
              {r.row ? `${t('admin.line', { line: r.row })}: ` : ''}
              {r.field ? `${r.field}: ` : ''}
              {r.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export interface Body {
  id: string;
  name: string;
  country: string;
}

/** Every certifying body (public GET /issuers), for an admin to choose whose entries to see and change. */
function useBodies(): Body[] {
  const { data } = useLoad(() => get<{ issuers: Body[] }>('/issuers'), []);
  return data?.issuers ?? [];
}

export interface BodyChoice {
  /** The body the screen shows: '' is "every body" (only where `allowAll`). */
  body: string;
  choose: (id: string) => void;
  bodies: Body[];
  allowAll: boolean;
}

/**
 * Whose entries a screen shows: staff of a body see their own (no choice); an admin chooses a body. `allowAll`
 * offers "every body" as well (statistics, the staff list); without it, until a body is chosen, the screen shows the
 * staff member's own body or else the first one. That default is worked out at each render, never written into the
 * state by an effect: an effect that ran after the bodies arrived could overwrite a choice made in between.
 */
export function useBodyChoice(allowAll = false): BodyChoice {
  const bodies = useBodies();
  const [chosen, choose] = useState('');
  const body = chosen || (allowAll ? '' : (session.value?.body?.id ?? bodies[0]?.id ?? ''));
  return { body, choose, bodies, allowAll };
}

/** The picker of a `useBodyChoice`; `onChange` is told of a new choice as well (a screen clearing what it showed). */
export function BodyPicker({ id, choice, onChange }: { id: string; choice: BodyChoice; onChange?: (v: string) => void }) {
  const own = session.value?.body;
  if (own) return <p class="note">{t('admin.body.own', { name: own.name })}</p>;
  const pick = (v: string) => {
    choice.choose(v);
    onChange?.(v);
  };
  return (
    <div>
      <label for={id}>{t('admin.body.label')}</label>
      <select id={id} value={choice.body} onChange={(e) => pick((e.currentTarget as HTMLSelectElement).value)}>
        {choice.allowAll && <option value="">{t('admin.body.all')}</option>}
        {choice.bodies.map((b) => (
          <option key={b.id} value={b.id}>
            {b.name} ({b.country})
          </option>
        ))}
      </select>
    </div>
  );
}

/** The text of a multilingual registry field in the console's language, else English, else any. */
export function textIn(text: Record<string, string> | undefined, lang: string): string {
  if (!text) return '';
  return text[lang] ?? text.en ?? Object.values(text)[0] ?? '';
}

/** The named fields of a submitted form, trimmed; empty ones left out. */
export function fields(form: HTMLFormElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new FormData(form)) if (typeof v === 'string' && v.trim()) out[k] = v.trim();
  return out;
}

/** A table that may scroll sideways on a phone: a named region a keyboard can reach and scroll. */
export function Scroll({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}

/**
 * The admin screens' table: headings for `columns`, a row per entry whose first cell heads the row, inside a
 * `Scroll` region named `label`.
 */
export function Table<T>({ label, columns, rows, rowKey, cells, class: className, rowClass }: {
  label: string;
  columns: ConsoleKey[];
  rows: T[];
  rowKey: (row: T) => string | number;
  /** The row's cells, in the order of `columns`. */
  cells: (row: T) => ComponentChildren[];
  class?: string;
  rowClass?: (row: T) => string | undefined;
}) {
  return (
    <Scroll label={label}>
      <table class={className}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">{t(c)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const [head, ...rest] = cells(r);
            return (
              <tr key={rowKey(r)} class={rowClass?.(r)}>
                <th scope="row">{head}</th>
                {rest.map((c, i) => <td key={i}>{c}</td>)}
              </tr>
            );
          })}
        </tbody>
      </table>
    </Scroll>
  );
}

export interface AdminAction {
  /** What the last action was refused with, if it was. */
  sent: unknown;
  /** What it did, if it succeeded. */
  done: Said | null;
  busy: boolean;
  /** Runs one change: the last outcome is cleared, then the action's own message or its refusal is shown. */
  run: (act: () => Promise<Said>) => Promise<void>;
}

/** The admin forms' one way to send a change and say how it went (shown by <Outcome>). */
export function useAction(): AdminAction {
  const [sent, setSent] = useState<unknown>(null);
  const [done, setDone] = useState<Said | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (act: () => Promise<Said>) => {
    setSent(null);
    setDone(null);
    setBusy(true);
    try {
      setDone(await act());
    } catch (err) {
      setSent(err);
    } finally {
      setBusy(false);
    }
  };
  return { sent, done, busy, run };
}

export function Outcome({ action }: { action: AdminAction }) {
  return (
    <>
      {action.done && <p class="ok" role="status">{words(action.done)}</p>}
      <Problem error={action.sent} />
    </>
  );
}
