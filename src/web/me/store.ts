import { Dexie, type Table } from 'dexie';
import type { CredentialCard } from '../../me/credentials.js';

/**
 * What the page keeps on the phone (IndexedDB through Dexie): each certificate it has shown, with its QR code
 * image, so the full-screen QR opens with no network; the share links made on this phone (their URL is shown only
 *  once by the server); uploads under way, to resume them after a reload (the chosen language is in localStorage: it is needed before the first paint).
 */
export interface SavedCredential {
  id: string;
  card: CredentialCard;
  qrSvg: string;
  savedAt: string;
}
export interface SavedLink {
  id: string;
  url: string;
}
/**
 * An upload under way: the server's upload session for a file, found again after a reload by what the browser knows
 * of the picked file (a page cannot keep the File itself). Removed when the upload ends either way.
 */
export interface SavedUpload {
  /** `${caseId}|${name}|${size}|${lastModified}`. */
  key: string;
  id: string;
  savedAt: string;
}

class MeStore extends Dexie {
  credentials!: Table<SavedCredential, string>;
  links!: Table<SavedLink, string>;
  uploads!: Table<SavedUpload, string>;
  constructor() {
    super('tanda-me');
    this.version(1).stores({ credentials: 'id', links: 'id' });
    this.version(2).stores({ credentials: 'id', links: 'id', uploads: 'key' });
  }
}

export const store = new MeStore();
