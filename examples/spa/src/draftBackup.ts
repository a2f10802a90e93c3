// A copy of a draft's unsaved text in this browser (localStorage), one per draft,
// written on every edit that is not saved yet and removed once the server has it.
// After a crash, a reload or a lost connection the editor finds it and puts the
// text back, telling the candidate; nothing typed is lost to a failed request.

import type { DraftText } from './api';

/** What is kept for one draft. */
export interface DraftBackup {
  /** The server version the text was written on. */
  version: number;
  text: DraftText;
  /** When it was written (ISO 8601). */
  at: string;
}

const PREFIX = 'prep.draft-backup.';

function key(id: string): string {
  return PREFIX + id;
}

export function readBackup(id: string): DraftBackup | null {
  try {
    const raw = window.localStorage.getItem(key(id));
    if (!raw) return null;
    const backup = JSON.parse(raw) as DraftBackup;
    return typeof backup.version === 'number' && backup.text ? backup : null;
  } catch {
    return null;
  }
}

export function writeBackup(id: string, version: number, text: DraftText): void {
  const backup: DraftBackup = { version, text, at: new Date().toISOString() };
  try {
    window.localStorage.setItem(key(id), JSON.stringify(backup));
  } catch {
    // Storage full or off: the server copy is all there is; nothing else to do.
  }
}

export function clearBackup(id: string): void {
  try {
    window.localStorage.removeItem(key(id));
  } catch {
    // As above.
  }
}
