import { useLocation } from 'react-router';

/** What a page that sent the visitor elsewhere wanted said there (`state.notice`). */
export interface NoticeState {
  notice?: string;
}

/**
 * The `notice` of the navigation that led here, for example "Your account is
 * deleted" on the home page: said once, above the page, and gone on the next
 * navigation (the state belongs to that history entry).
 */
export function FlashNotice() {
  const notice = (useLocation().state as NoticeState | null)?.notice;
  if (!notice) return null;
  return (
    <p className="alert alert-info" role="status" data-testid="flash-notice">
      {notice}
    </p>
  );
}
