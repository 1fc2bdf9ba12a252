import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App } from './app/App';
import { startUrlSync } from './state/url-sync';
import { computeClient } from './bridge/client';
import { embedChartFromSearch } from './export/embed-snippet';
import { isTeachId } from './views/teach/params';
import './app/styles.css';

startUrlSync();

// e2e fault injection and worker accounting (SECURITY.md): only with ?testhooks in the URL.
if (new URLSearchParams(window.location.search).has('testhooks')) {
  Object.assign(window, {
    __quantscope: {
      injectFault: (kind: 'throw' | 'die' | 'vanish') => computeClient.injectFault(kind),
      liveWorkers: () => computeClient.live,
      starts: () => computeClient.starts,
      /** Pipelines sent to workers so far, and pipelines served from the result cache. */
      pipelineComputations: () => computeClient.pipelineComputations,
      cacheHits: () => computeClient.cacheHits,
      persistedHits: () => computeClient.persistedHits,
      /** Run-pool size for A/B timing of the pool (README "Performance"); takes effect next run. */
      setPoolSize: (n: number) => {
        computeClient.poolSize = Math.max(1, Math.floor(n));
      },
    },
  });
}

// `?embed=<chart id>`: one chart for an iframe (src/ui/app/Embed.tsx), loaded as its own chunk.
const Embed = lazy(() => import('./app/Embed').then((m) => ({ default: m.Embed })));
const embedChart = embedChartFromSearch(window.location.search);
// `?embed=step|block|codebook|lesson`: the teaching widgets (src/ui/views/teach), their own chunk.
const TeachEmbed = lazy(() => import('./views/teach/TeachEmbed').then((m) => ({ default: m.TeachEmbed })));

const queryClient = new QueryClient();
const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        {embedChart === null ? (
          <App />
        ) : isTeachId(embedChart) ? (
          <Suspense fallback={null}>
            <TeachEmbed id={embedChart} />
          </Suspense>
        ) : (
          <Suspense fallback={null}>
            <Embed chartId={embedChart} />
          </Suspense>
        )}
      </QueryClientProvider>
    </StrictMode>,
  );
}
