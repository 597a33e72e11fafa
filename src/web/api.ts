/** A page's calls (the returnee space, the staff console): same-origin, the session in its HttpOnly cookie, the anti-forgery token on every change. */
let csrfToken: string | undefined;
export const setCsrf = (token: string | undefined) => {
  csrfToken = token;
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly details?: unknown,
  ) {
    super(code);
  }
}
/** The network is unreachable (offline, dropped connection): not an answer from the server. */
export class OfflineError extends Error {}

export async function api<T>(method: string, url: string, body?: unknown, init: RequestInit = {}): Promise<T> {
  const headers: Record<string, string> = { ...(init.headers as Record<string, string> | undefined) };
  if (body !== undefined && !(body instanceof Blob)) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(url, { ...init, method, headers, credentials: 'same-origin', body: body === undefined ? undefined : body instanceof Blob ? body : JSON.stringify(body) });
  } catch {
    throw new OfflineError('offline');
  }
  if (res.status === 204) return undefined as T;
  const json = (await res.json().catch(() => ({}))) as { code?: string; details?: unknown };
  if (!res.ok) throw new ApiError(res.status, json.code ?? 'error', json.details);
  return json as T;
}
