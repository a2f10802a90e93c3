import { useEffect, useRef } from 'react';
import { Route, Routes, useLocation, useNavigate } from 'react-router';

import { signInPath, useAuth } from './auth';
import { Layout } from './components/Layout';
import { AgendaPage } from './pages/AgendaPage';
import { AuthPage } from './pages/AuthPage';
import { DraftEditorPage } from './pages/DraftEditorPage';
import { DraftsPage } from './pages/DraftsPage';
import { InterviewPage } from './pages/InterviewPage';
import { InterviewsPage } from './pages/InterviewsPage';
import { NewDraftPage } from './pages/NewDraftPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { PracticePage } from './pages/PracticePage';
import { RolePage } from './pages/RolePage';
import { RolesPage } from './pages/RolesPage';
import { ScheduleInterviewPage } from './pages/ScheduleInterviewPage';
import { StoryBankPage } from './pages/StoryBankPage';

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
          <Route path="drafts" element={<DraftsPage />} />
          <Route path="drafts/new" element={<NewDraftPage />} />
          <Route path="drafts/:id" element={<DraftEditorPage />} />
          <Route path="stories" element={<StoryBankPage />} />
          <Route path="practice" element={<PracticePage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </>
  );
}
