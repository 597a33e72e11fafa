import { api, ApiError, OfflineError } from '../api.js';
import { store } from './store.js';

/**
 * Sends a file in chunks to a server-side upload session; when the connection drops it waits until the phone is
 * online again, asks where the server stands and resumes from there (never from the start). The session id is kept
 * on the phone (IndexedDB) under the file's name, size and date, so after a reload picking the same file again
 * resumes it too.
 */
const CHUNK = 256 * 1024;

interface UploadState {
  id: string;
  size: number;
  received: number;
}

const online = () => new Promise<void>((resolve) => (navigator.onLine ? setTimeout(resolve, 2000) : addEventListener('online', () => resolve(), { once: true })));

export async function uploadResumable(
  file: File,
  meta: { caseId: string; kind: string; title: string },
  on: { progress: (percent: number) => void; paused: (paused: boolean) => void; resumed?: () => void },
): Promise<void> {
  const key = `${meta.caseId}|${file.name}|${file.size}|${file.lastModified}`;
  const saved = await store.uploads.get(key).catch(() => undefined);
  // The server's word on a session begun before the reload; gone (expired, finished, refused) means start afresh.
  let session = saved ? await api<UploadState>('GET', `/me/uploads/${saved.id}`).catch(() => null) : null;
  if (session && session.size !== file.size) session = null;
  if (session) on.resumed?.();
  else {
    session = await api<UploadState>('POST', '/me/uploads', { ...meta, fileName: file.name || 'evidence', size: file.size });
    await store.uploads.put({ key, id: session.id, savedAt: new Date().toISOString() }).catch(() => undefined);
  }
  try {
    await send(file, session, on);
  } catch (e) {
    // Offline errors never get here (send waits for the network): this is a refusal, and the next try starts afresh.
    await store.uploads.delete(key).catch(() => undefined);
    throw e;
  }
  await store.uploads.delete(key).catch(() => undefined);
}

async function send(file: File, start: UploadState, on: { progress: (percent: number) => void; paused: (paused: boolean) => void }): Promise<void> {
  let session = start;
  let received = start.received;
  on.progress(Math.round((received / file.size) * 100));
  while (received < file.size) {
    try {
      const chunk = file.slice(received, Math.min(received + CHUNK, file.size));
      session = await api<UploadState>('PATCH', `/me/uploads/${session.id}`, chunk, { headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': String(received) } });
      received = session.received;
      on.paused(false);
      on.progress(Math.round((received / file.size) * 100));
    } catch (e) {
      if (e instanceof ApiError && e.code === 'upload_offset_mismatch') {
        received = (e.details as { received: number }).received;
        continue;
      }
      if (!(e instanceof OfflineError)) throw e;
      on.paused(true);
      await online();
      // The chunk may or may not have arrived before the line dropped: the server says.
      received = (await api<UploadState>('GET', `/me/uploads/${session.id}`).catch(() => ({ received }))).received;
    }
  }
}
