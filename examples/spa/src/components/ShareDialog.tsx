import { useRef, useState } from 'react';
import { useMutation, useQuery } from 'urql';

import { describeApiError, firstApiError } from '../errors';
import { formatDateTime } from '../format';
import { CreateShareDocument, MySharesDocument, RevokeShareDocument, type ShareFieldsFragment } from '../gql/sharing';
import type { ShareAccess } from '../gql/types';
import '../sharing.css';

/** What a share covers: a draft's or an interview's ID, or the whole story bank. */
export type ShareTarget = { kind: 'DRAFT' | 'INTERVIEW'; id: string } | { kind: 'STORY_BANK' };

/** The target's ID as `createShare` takes it. */
function targetId(target: ShareTarget): string {
  return target.kind === 'STORY_BANK' ? 'STORY_BANK' : target.id;
}

/** Whether one of the viewer's shares covers `target`. */
function covers(share: ShareFieldsFragment, target: ShareTarget): boolean {
  if (share.targetKind !== target.kind) return false;
  if (target.kind === 'DRAFT') return share.draft?.id === target.id;
  if (target.kind === 'INTERVIEW') return share.interview?.id === target.id;
  return true;
}

const WHAT: Record<ShareTarget['kind'], string> = {
  DRAFT: 'this draft',
  INTERVIEW: 'this interview',
  STORY_BANK: 'your whole story bank',
};

/**
 * A "Share" button and its dialog: creates a secret link (viewer or commenter,
 * optional expiry and note), shows it to copy, and lists the shares of the same
 * target with who accepted them and a Revoke that says what stops working.
 */
export function ShareDialog({ target }: { target: ShareTarget }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  const show = () => {
    setOpen(true);
    dialog.current?.showModal();
  };
  const close = () => dialog.current?.close();
  return (
    <>
      <button type="button" className="button button-small button-secondary" data-testid="share-open" onClick={show}>
        Share…
      </button>
      <dialog
        ref={dialog}
        className="share-dialog"
        aria-labelledby="share-heading"
        data-testid="share-dialog"
        onClose={() => setOpen(false)}
      >
        {open && <ShareForm target={target} onClose={close} />}
      </dialog>
    </>
  );
}

function ShareForm({ target, onClose }: { target: ShareTarget; onClose: () => void }) {
  const [access, setAccess] = useState<ShareAccess>('COMMENTER');
  const [expires, setExpires] = useState('');
  const [note, setNote] = useState('');
  const [link, setLink] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [created, createShare] = useMutation(CreateShareDocument);
  const [{ data, error }, reload] = useQuery({ query: MySharesDocument, requestPolicy: 'network-only' });
  const shares = (data?.myShares ?? []).filter((s) => covers(s, target));
  const createError = firstApiError(created.error);

  const onCreate = async (e: React.FormEvent) => {
    e.preventDefault();
    setCopied(false);
    // The date input gives a local calendar day: the share ends at that day's end, here.
    const expiresAt = expires ? new Date(`${expires}T23:59:59`).toISOString() : null;
    const result = await createShare({
      input: { target: targetId(target), access, expiresAt, note: note.trim() || null },
    });
    if (result.data) {
      setLink(window.location.origin + result.data.createShare.path);
      reload({ requestPolicy: 'network-only' });
    }
  };

  const onCopy = async () => {
    if (!link) return;
    try {
      await navigator.clipboard.writeText(link);
      setCopied(true);
    } catch {
      // No clipboard (an insecure origin, or refused): the link stays selected to copy by hand.
      document.querySelector<HTMLInputElement>('#share-link')?.select();
    }
  };

  return (
    <div>
      <h2 id="share-heading">Share {WHAT[target.kind]}</h2>
      <form onSubmit={onCreate}>
        <fieldset className="field">
          <legend>They may</legend>
          <label className="inline-label">
            <input
              type="radio"
              name="share-access"
              value="VIEWER"
              checked={access === 'VIEWER'}
              onChange={() => setAccess('VIEWER')}
              data-testid="share-access-viewer"
            />{' '}
            Read only
          </label>{' '}
          <label className="inline-label">
            <input
              type="radio"
              name="share-access"
              value="COMMENTER"
              checked={access === 'COMMENTER'}
              onChange={() => setAccess('COMMENTER')}
              data-testid="share-access-commenter"
            />{' '}
            Read and comment
          </label>
        </fieldset>
        <div className="field">
          <label htmlFor="share-expires">Ends after (optional)</label>
          <input
            id="share-expires"
            type="date"
            value={expires}
            onChange={(e) => setExpires(e.target.value)}
            data-testid="share-expires"
          />
        </div>
        <div className="field">
          <label htmlFor="share-note">Note to them (optional)</label>
          <input
            id="share-note"
            value={note}
            maxLength={500}
            onChange={(e) => setNote(e.target.value)}
            placeholder="e.g. For Maria, before Friday"
            data-testid="share-note"
          />
        </div>
        <div className="form-actions">
          <button type="submit" className="button" disabled={created.fetching} data-testid="share-create">
            {created.fetching ? 'Creating…' : 'Create link'}
          </button>
          <button type="button" className="button button-secondary" onClick={onClose} data-testid="share-close">
            Close
          </button>
        </div>
        {createError && (
          <p className="alert alert-error" role="alert" data-code={createError.code}>
            {describeApiError(createError)}
          </p>
        )}
      </form>
      {link && (
        <div className="share-link field" role="status">
          <label htmlFor="share-link">Send this link (it is shown only now)</label>
          <div className="share-link-row">
            <input id="share-link" readOnly value={link} data-testid="share-link" onFocus={(e) => e.target.select()} />
            <button type="button" className="button button-small" onClick={() => void onCopy()} data-testid="share-copy">
              {copied ? 'Copied' : 'Copy'}
            </button>
          </div>
        </div>
      )}
      <h3>Shared so far</h3>
      {error && <p className="alert alert-error">{describeApiError(firstApiError(error)!)}</p>}
      {shares.length === 0 ? (
        <p className="muted small">Not shared yet.</p>
      ) : (
        <ul className="share-list" data-testid="share-list">
          {shares.map((s) => (
            <ShareRow key={s.id} share={s} what={WHAT[target.kind]} onRevoked={() => reload({ requestPolicy: 'network-only' })} />
          ))}
        </ul>
      )}
    </div>
  );
}

function ShareRow({ share, what, onRevoked }: { share: ShareFieldsFragment; what: string; onRevoked: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [revoked, revoke] = useMutation(RevokeShareDocument);
  const who = share.acceptedBy.map((a) => a.displayName);
  const onRevoke = async () => {
    const result = await revoke({ id: share.id });
    if (!result.error) onRevoked();
  };
  return (
    <li data-testid="share-row" data-share-id={share.id}>
      <p>
        <strong>{share.access === 'COMMENTER' ? 'Read and comment' : 'Read only'}</strong>
        {share.note && <> · “{share.note}”</>} · created {formatDateTime(share.createdAt)}
        {share.expiresAt && <> · {share.expired ? 'expired' : 'ends'} {formatDateTime(share.expiresAt)}</>}
      </p>
      <p className="small" data-testid="share-accepted">
        {who.length ? `Accepted by ${who.join(', ')}` : 'Not accepted yet'}
      </p>
      {confirming ? (
        <div className="alert alert-warning" role="alertdialog" aria-label="Revoke this link?">
          <p>
            Revoke this link? {who.length ? who.join(', ') : 'Whoever accepts it'} can no longer read {what}
            {share.access === 'COMMENTER' ? ' or comment on it' : ''}, and the link stops working. Comments already
            written stay.
          </p>
          <button type="button" className="button button-small danger" onClick={() => void onRevoke()} disabled={revoked.fetching} data-testid="share-revoke-confirm">
            Revoke
          </button>{' '}
          <button type="button" className="button button-small button-secondary" onClick={() => setConfirming(false)}>
            Keep it
          </button>
          {revoked.error && <p role="alert">{describeApiError(firstApiError(revoked.error)!)}</p>}
        </div>
      ) : (
        <button type="button" className="link-button danger" onClick={() => setConfirming(true)} data-testid="share-revoke">
          Revoke…
        </button>
      )}
    </li>
  );
}
