import { lazy, useEffect, useRef } from 'react';
import { Route, Routes, useLocation, useNavigate } from 'react-router';

import { signInPath, useAuth } from './auth';
import { Layout } from './components/Layout';
import { AuthPage } from './pages/AuthPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { RolePage } from './pages/RolePage';
import { RolesPage } from './pages/RolesPage';

// Code splitting: the pages a first visit lands on (the roles, a role, signing in)
// are in the main script; every other page's code loads when it is first opened,
// so the role page loads without the editor's code. Layout's <Suspense> shows
// "Loading the page" meanwhile.
const page = <K extends string>(load: () => Promise<Record<K, React.ComponentType>>, name: K) =>
  lazy(async () => ({ default: (await load())[name] }));
const AgendaPage = page(() => import('./pages/AgendaPage'), 'AgendaPage');
const DraftEditorPage = page(() => import('./pages/DraftEditorPage'), 'DraftEditorPage');
const DraftsPage = page(() => import('./pages/DraftsPage'), 'DraftsPage');
const InterviewPage = page(() => import('./pages/InterviewPage'), 'InterviewPage');
const InterviewsPage = page(() => import('./pages/InterviewsPage'), 'InterviewsPage');
const PracticePage = page(() => import('./pages/PracticePage'), 'PracticePage');
const ScheduleInterviewPage = page(() => import('./pages/ScheduleInterviewPage'), 'ScheduleInterviewPage');
const StoryBankPage = page(() => import('./pages/StoryBankPage'), 'StoryBankPage');
const AcceptSharePage = page(() => import('./pages/AcceptSharePage'), 'AcceptSharePage');
const SharedWithMePage = page(() => import('./pages/SharedWithMePage'), 'SharedWithMePage');
const SharedDraftPage = page(() => import('./pages/SharedDraftPage'), 'SharedDraftPage');
const SharedInterviewPage = page(() => import('./pages/SharedInterviewPage'), 'SharedInterviewPage');
const AccountPage = page(() => import('./pages/AccountPage'), 'AccountPage');
const ForgotPasswordPage = page(() => import('./pages/ForgotPasswordPage'), 'ForgotPasswordPage');
const ResetPasswordPage = page(() => import('./pages/ResetPasswordPage'), 'ResetPasswordPage');

/** Sends the visitor to sign in when the server rejected the session or asked for one. */
function SessionWatcher() {
  const { signInReason, signInRequests } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const handled = useRef(signInRequests);
  useEffect(() => {
    if (signInRequests === handled.current) return;
    handled.current = signInRequests;
    if (location.pathname === '/signin' || location.pathname === '/signup') return;
    const here = location.pathname + location.search;
    navigate(signInPath(here), { state: { reason: signInReason } });
  }, [signInRequests, signInReason, navigate, location]);
  return null;
}

export function App() {
  return (
    <>
      <SessionWatcher />
      <Routes>
        <Route element={<Layout />}>
          <Route index element={<RolesPage />} />
          <Route path="roles/:slug" element={<RolePage />} />
          <Route path="roles/:slug/schedule" element={<ScheduleInterviewPage />} />
          <Route path="interviews" element={<InterviewsPage />} />
          <Route path="interviews/:id" element={<InterviewPage />} />
          <Route path="agenda" element={<AgendaPage />} />
          <Route path="signin" element={<AuthPage mode="signin" />} />
          <Route path="signup" element={<AuthPage mode="signup" />} />
          <Route path="forgot-password" element={<ForgotPasswordPage />} />
          <Route path="reset-password" element={<ResetPasswordPage />} />
          <Route path="account" element={<AccountPage />} />
          <Route path="drafts" element={<DraftsPage />} />
          {/* Also `drafts/new`: the editor makes the draft on the first keystroke. */}
          <Route path="drafts/:id" element={<DraftEditorPage />} />
          <Route path="stories" element={<StoryBankPage />} />
          <Route path="practice" element={<PracticePage />} />
          <Route path="shared" element={<SharedWithMePage />} />
          <Route path="shared/drafts/:id" element={<SharedDraftPage />} />
          <Route path="shared/interviews/:id" element={<SharedInterviewPage />} />
          <Route path="shared/:secret" element={<AcceptSharePage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </>
  );
}
