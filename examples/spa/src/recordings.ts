// Recordings of practice answers, kept on this device only (IndexedDB), never
// uploaded: the candidate plays an answer back beside its feedback, as the
// reference page advises ("record yourself ... review the playback").

const DB_NAME = 'prep.practice';
const STORE = 'recordings';

/** One recorded answer, keyed by the practice attempt's ID. */
export interface Recording {
  attemptId: string;
  audio: Blob;
  recordedAt: string;
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'attemptId' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run<T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = act(db.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

/** Keeps `audio` as the recording of attempt `attemptId`. */
export function saveRecording(attemptId: string, audio: Blob): Promise<IDBValidKey> {
  const recording: Recording = { attemptId, audio, recordedAt: new Date().toISOString() };
  return run('readwrite', (store) => store.put(recording));
}

/** The recording of attempt `attemptId`, if this device has one. */
export async function readRecording(attemptId: string): Promise<Recording | null> {
  try {
    return ((await run('readonly', (store) => store.get(attemptId))) as Recording | undefined) ?? null;
  } catch {
    // Private windows may refuse IndexedDB: there is then simply no recording.
    return null;
  }
}

/** Removes the recording of attempt `attemptId` from this device. */
export function deleteRecording(attemptId: string): Promise<undefined> {
  return run('readwrite', (store) => store.delete(attemptId));
}

/** A recorder of the microphone, or why there is none. */
export type Recorder =
  | { ok: true; stop: () => Promise<Blob | null> }
  | { ok: false; reason: string };

/**
 * Starts recording the microphone where the browser has MediaRecorder and the
 * candidate allows the microphone; `stop` gives the recording.
 */
export async function startRecorder(): Promise<Recorder> {
  if (typeof MediaRecorder === 'undefined' || !navigator.mediaDevices?.getUserMedia) {
    return { ok: false, reason: 'This browser cannot record here: the answer is timed, not recorded.' };
  }
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch {
    return { ok: false, reason: 'The microphone is not allowed: the answer is timed, not recorded.' };
  }
  const recorder = new MediaRecorder(stream);
  const chunks: Blob[] = [];
  recorder.ondataavailable = (event) => {
    if (event.data.size > 0) chunks.push(event.data);
  };
  recorder.start();
  const stop = () =>
    new Promise<Blob | null>((resolve) => {
      recorder.onstop = () => {
        for (const track of stream.getTracks()) track.stop();
        resolve(chunks.length > 0 ? new Blob(chunks, { type: recorder.mimeType || 'audio/webm' }) : null);
      };
      if (recorder.state === 'inactive') recorder.onstop(new Event('stop'));
      else recorder.stop();
    });
  return { ok: true, stop };
}
