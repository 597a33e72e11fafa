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
    /** The server's own sentence (English): what exactly was wrong, which a staff screen may show under its own. */
    readonly serverMessage = '',
  ) {
    super(code);
  }
}
/** The network is unreachable (offline, dropped connection): not an answer from the server. */
export class OfflineError extends Error {}

export async function api<T>(method: string, url: string, body?: unknown, init: RequestInit = {}): Promise<T> {
  const res = await request(method, url, body, init);
  if (res.status === 204) return undefined as T;
  return (await res.json().catch(() => ({}))) as T;
}

/** A page of a list route that answers an array and says in X-Total-Count how many match in all. */
export async function apiList<T>(url: string): Promise<{ items: T[]; total: number }> {
  const res = await request('GET', url);
  const items = (await res.json()) as T[];
  const total = Number(res.headers.get('x-total-count'));
  return { items, total: Number.isFinite(total) && res.headers.has('x-total-count') ? total : items.length };
}

/**
 * Sends the request; a refusal becomes an ApiError with the server's code, no network an OfflineError. A Blob goes
 * as it is (its type, unless the caller names one) and a FormData as multipart (the browser writes the boundary);
 * anything else as JSON.
 */
async function request(method: string, url: string, body?: unknown, init: RequestInit = {}): Promise<Response> {
  const headers: Record<string, string> = { ...(init.headers as Record<string, string> | undefined) };
  const asIs = body instanceof Blob || body instanceof FormData;
  if (body !== undefined && !asIs) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(url, { ...init, method, headers, credentials: 'same-origin', body: body === undefined ? undefined : asIs ? body : JSON.stringify(body) });
  } catch {
    throw new OfflineError('offline');
  }
  if (!res.ok) {
    const json = (await res.json().catch(() => ({}))) as { code?: string; details?: unknown; message?: string };
    throw new ApiError(res.status, json.code ?? 'error', json.details, json.message ?? '');
  }
  return res;
}
