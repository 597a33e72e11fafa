import { api, ApiError, OfflineError, setCsrf } from '../../api.js';
import { call, session, type ConsoleSession } from '../shell.js';

/*
 * What the field screens need beyond the frame's `call`: an upload that ends a lapsed session without the frame's
 * flash (the sync reports it), evidence files as Blobs for the viewer, and a fresh anti-forgery token after an
 * offline start (the session kept in localStorage has none).
 */

/** Asks the server who is signed in again: a page that started offline gets its anti-forgery token this way. */
export async function refreshSession(): Promise<void> {
  const s = await call<ConsoleSession>('GET', '/console/session');
  setCsrf(s.csrfToken);
  session.value = s;
}

async function knowCsrfToken(): Promise<void> {
  if (!session.value?.csrfToken) await refreshSession();
}

/** POST /cases/:id/evidence as multipart; `idempotencyKey` makes a retried upload land once. */
export async function uploadEvidence<T>(caseId: string, file: Blob, fields: { kind: string; title: string; fileName: string }, idempotencyKey?: string): Promise<T> {
  const form = new FormData();
  form.append('kind', fields.kind);
  form.append('title', fields.title);
  form.append('file', file, fields.fileName);
  await knowCsrfToken();
  try {
    return await api<T>('POST', `/cases/${encodeURIComponent(caseId)}/evidence`, form, { headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {} });
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) session.value = null;
    throw e;
  }
}

/** An evidence file as a Blob (each read is audited by the server), for an object URL the viewer shows. */
export async function evidenceBlob(caseId: string, evidenceId: string): Promise<Blob> {
  let res: Response;
  try {
    res = await fetch(`/cases/${encodeURIComponent(caseId)}/evidence/${encodeURIComponent(evidenceId)}/content`, { credentials: 'same-origin' });
  } catch {
    throw new OfflineError('offline');
  }
  if (!res.ok) throw new ApiError(res.status, 'error');
  return res.blob();
}

/** A state-changing JSON call that first makes sure the anti-forgery token is known (an offline start has none). */
export async function change<T>(method: string, url: string, body?: unknown): Promise<T> {
  await knowCsrfToken();
  return call<T>(method, url, body);
}
