/** `<publicUrl>/status/<listId>`: short and stable, since every QR code printed with an entry in it carries it. */
export function statusListUrl(publicUrl: string, listId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/status/${listId}`;
}

const LIST_ID = /^[a-z0-9]{4,32}$/;

/** The list id when `url` is one of this instance's status lists, otherwise undefined. */
export function listIdFromUrl(publicUrl: string, url: string): string | undefined {
  const prefix = `${publicUrl.replace(/\/+$/, '')}/status/`;
  if (!url.startsWith(prefix)) return undefined;
  const id = url.slice(prefix.length);
  return LIST_ID.test(id) ? id : undefined;
}

export const isListId = (id: string): boolean => LIST_ID.test(id);
