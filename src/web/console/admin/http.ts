import { ApiError, OfflineError } from '../../api.js';
import { flash, session, t } from '../shell.js';

/**
 * The admin screens send files (CSV sheets, certificate images) as raw bodies or multipart forms, and show the
 * server's own sentence beside a refusal's code, which the shared `call()` keeps neither of. Same session cookie,
 * same anti-forgery header, same handling of an ended session.
 */
export class AdminError extends ApiError {
  constructor(
    status: number,
    code: string,
    details: unknown,
    /** The server's sentence (English): what exactly was wrong, shown under the translated one. */
    readonly serverMessage: string,
  ) {
    super(status, code, details);
  }
}

export type Body = { json: unknown } | { raw: string | Blob; type: string } | { form: FormData };

export async function send<T>(method: string, url: string, body?: Body): Promise<T> {
  const headers: Record<string, string> = {};
  const csrf = session.value?.csrfToken;
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  let payload: BodyInit | undefined;
  if (body && 'json' in body) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body.json);
  } else if (body && 'raw' in body) {
    headers['content-type'] = body.type;
    payload = body.raw;
  } else if (body) {
    // The browser writes the multipart boundary into the content type itself.
    payload = body.form;
  }
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body: payload, credentials: 'same-origin' });
  } catch {
    throw new OfflineError('offline');
  }
  if (res.status === 204) return undefined as T;
  const json = (await res.json().catch(() => ({}))) as { code?: string; message?: string; details?: unknown };
  if (!res.ok) {
    if (res.status === 401 && session.value) {
      flash.value = t('session.expired');
      session.value = null;
    }
    throw new AdminError(res.status, json.code ?? 'error', json.details, json.message ?? '');
  }
  return json as T;
}

export const get = <T>(url: string): Promise<T> => send<T>('GET', url);

/** A query string from the filled-in values only. */
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A file's bytes as base64, as PUT /issuers/:id/profile takes images. */
export async function base64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
