import { useState } from 'react';

import { useAuth } from '../../auth';
import { httpUrl } from '../../config';

/** `GET /me/export` beside the GraphQL endpoint (same origin unless the app is told otherwise). */
function exportUrl(): string {
  return new URL('/me/export', new URL(httpUrl, window.location.href)).toString();
}

/** `prep-export-2026-12-03.json`, by the visitor's calendar. */
function fileName(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `prep-export-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}.json`;
}

/** Hands `blob` to the browser as a download named `name`. */
function save(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own copy once started; the next task is late enough.
  window.setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * "Download my data": the export is fetched with the session's token (a plain
 * link could not send it) and saved as a JSON file.
 */
export function DownloadData() {
  const { token } = useAuth();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const onDownload = async () => {
    setBusy(true);
    setError(null);
    try {
      const response = await fetch(exportUrl(), {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      if (response.status === 401) {
        setError('Your session has ended. Please sign in again to download your data.');
      } else if (!response.ok) {
        setError('The server could not prepare your data just now. Please retry in a moment.');
      } else {
        save(await response.blob(), fileName());
      }
    } catch {
      setError('Cannot reach the server. Check your connection and retry.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card account-section" aria-labelledby="download-title" data-testid="download-data">
      <h2 id="download-title">Download your data</h2>
      <p>
        One JSON file with what this account holds: your profile, where you are signed in, your drafts
        with every saved version and the questions and competencies they are linked to, your
        interviews with their plans, your practice attempts with their feedback, what you shared and
        the comments.
      </p>
      {error && (
        <p className="alert alert-error" role="alert" data-testid="download-error">
          {error}
        </p>
      )}
      <button type="button" className="button" data-testid="download-submit" onClick={onDownload} disabled={busy}>
        {busy ? 'Preparing the file…' : 'Download my data'}
      </button>
    </section>
  );
}
