import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, RouterProvider } from 'react-router';

import { App } from './App';
import { AuthProvider } from './auth';
import './styles.css';
import './editor.css';

const root = document.getElementById('root');
if (!root) throw new Error('no #root element');

// A data router (one splat route holding the app's own <Routes>): only it lets a
// page block an in-app navigation (useBlocker), which the draft editor does while
// a save is pending or failed.
const router = createBrowserRouter([
  {
    path: '*',
    element: (
      <AuthProvider>
        <App />
      </AuthProvider>
    ),
  },
]);

createRoot(root).render(
  <StrictMode>
    <RouterProvider router={router} />
  </StrictMode>,
);
