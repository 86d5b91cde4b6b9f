/**
 * H5: the bytes of photos not yet sent, kept in IndexedDB under the tile's localId, so a reload
 * (or a closed tab) while offline loses nothing. weapp keeps files in its saved-file store instead
 * (report-draft.ts keepLocalFile). Every call resolves; a browser without IndexedDB (private mode
 * in old Safari) simply keeps photos in memory as before.
 */
const DB_NAME = 'cityloop';
const STORE = 'draftPhotos';

let opening: Promise<IDBDatabase | null> | null = null;

function db(): Promise<IDBDatabase | null> {
  if (opening) return opening;
  opening = new Promise((resolve) => {
    try {
      if (typeof indexedDB === 'undefined') return resolve(null);
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => resolve(null);
      req.onblocked = () => resolve(null);
    } catch {
      resolve(null);
    }
  });
  return opening;
}

function run<T>(mode: IDBTransactionMode, fn: (store: IDBObjectStore) => IDBRequest<T>): Promise<T | null> {
  return db().then(
    (conn) =>
      new Promise<T | null>((resolve) => {
        if (!conn) return resolve(null);
        try {
          const tx = conn.transaction(STORE, mode);
          const req = fn(tx.objectStore(STORE));
          tx.oncomplete = () => resolve(req.result ?? null);
          tx.onerror = () => resolve(null);
          tx.onabort = () => resolve(null);
        } catch {
          resolve(null);
        }
      }),
  );
}

/** True once the photo is stored. */
export function storePhoto(localId: string, blob: Blob): Promise<boolean> {
  return run('readwrite', (s) => s.put(blob, localId)).then((key) => key !== null);
}

export function readPhoto(localId: string): Promise<Blob | null> {
  return run<Blob>('readonly', (s) => s.get(localId) as IDBRequest<Blob>).then((b) => (b instanceof Blob ? b : null));
}

export function deletePhoto(localId: string): Promise<void> {
  return run('readwrite', (s) => s.delete(localId)).then(() => undefined);
}

/** Removes photos no draft refers to (a draft cleared in another tab, a crash between steps). */
export function sweepPhotos(keep: () => readonly string[]): Promise<void> {
  return run<IDBValidKey[]>('readonly', (s) => s.getAllKeys()).then(async (keys) => {
    const inUse = keep();
    for (const key of keys ?? []) if (typeof key === 'string' && inUse.indexOf(key) < 0) await deletePhoto(key);
  });
}
