import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App } from './app/App';
import { startUrlSync } from './state/url-sync';
import { embedChartFromSearch } from './export/embed-snippet';
import './app/styles.css';

startUrlSync();

// `?embed=<chart id>`: one chart for an iframe (src/app/Embed.tsx), loaded as its own chunk.
const Embed = lazy(() => import('./app/Embed').then((m) => ({ default: m.Embed })));
const embedChart = embedChartFromSearch(window.location.search);

const queryClient = new QueryClient();
const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        {embedChart === null ? (
          <App />
        ) : (
          <Suspense fallback={null}>
            <Embed chartId={embedChart} />
          </Suspense>
        )}
      </QueryClientProvider>
    </StrictMode>,
  );
}
