import { Dexie, type Table } from 'dexie';
import type { CredentialCard } from '../../me/credentials.js';

/**
 * What the page keeps on the phone (IndexedDB through Dexie): each certificate it has shown, with its QR code
 * image, so the full-screen QR opens with no network; the share links made on this phone (their URL is shown only
 *  once by the server) (the chosen language is in localStorage: it is needed before the first paint).
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

class MeStore extends Dexie {
  credentials!: Table<SavedCredential, string>;
  links!: Table<SavedLink, string>;
  constructor() {
    super('tanda-me');
    this.version(1).stores({ credentials: 'id', links: 'id' });
  }
}

export const store = new MeStore();
