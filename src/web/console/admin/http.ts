import { call } from '../shell.js';

/** What an admin screen sends: JSON, a file's raw bytes with their type (CSV sheets), or a multipart form. */
export type Body = { json: unknown } | { raw: string | Blob; type: string } | { form: FormData };

/** The frame's `call` (session cookie, anti-forgery header, an ended session) with the admin screens' bodies. */
export function send<T>(method: string, url: string, body?: Body): Promise<T> {
  if (!body) return call<T>(method, url);
  if ('json' in body) return call<T>(method, url, body.json);
  if ('raw' in body) return call<T>(method, url, body.raw instanceof Blob ? body.raw : new Blob([body.raw]), { headers: { 'content-type': body.type } });
  return call<T>(method, url, body.form);
}

export const get = <T>(url: string): Promise<T> => send<T>('GET', url);

/** A file's bytes as base64, as PUT /issuers/:id/profile takes images. */
export async function base64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
