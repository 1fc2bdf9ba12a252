/// <reference types="vitest/config" />
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// Cross-origin isolation gives SharedArrayBuffer and fine timers (DESIGN.md); the same headers are
// served by the dev and preview servers so tests see what users see.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Content-Security-Policy (SECURITY.md): scripts and workers only from our origin, WebAssembly via
 * 'wasm-unsafe-eval' only (never 'unsafe-eval'), no plugins, any page may embed us (embed mode is
 * for course pages). Styles allow inline attributes because d3 and React set style properties.
 * In dev, Vite injects inline module scripts (the React Fast Refresh preamble); their SHA-256
 * hashes are added, so even dev never allows arbitrary inline script.
 */
function csp(inlineScriptHashes: readonly string[], dev: boolean): string {
  const scriptSrc = ["'self'", "'wasm-unsafe-eval'", ...inlineScriptHashes.map((h) => `'sha256-${h}'`)];
  return [
    "default-src 'self'",
    `script-src ${scriptSrc.join(' ')}`,
    "worker-src 'self' blob:",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${dev ? ' ws: wss:' : ''}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    'frame-ancestors *',
  ].join('; ');
}

const previewHeaders = { ...isolationHeaders, 'Content-Security-Policy': csp([], false) };

/** Dev server: hash the inline scripts of the transformed index.html and send the CSP header. */
function devCsp(): Plugin {
  let hashes: string[] = [];
  return {
    name: 'quantscope-dev-csp',
    apply: 'serve',
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)]
          .map((m) => m[1])
          .filter((body) => body.trim() !== '')
          .map((body) => createHash('sha256').update(body).digest('base64'));
        return html;
      },
    },
    configureServer(server) {
      let ready: Promise<unknown> | undefined;
      server.middlewares.use((_req, res, next) => {
        // The header of the first response must already carry the hashes: transform once up front.
        ready ??= server.transformIndexHtml('/index.html', readFileSync('index.html', 'utf8'));
        ready.then(
          () => {
            res.setHeader('Content-Security-Policy', csp(hashes, true));
            next();
          },
          (e: unknown) => next(e),
        );
      });
    },
  };
}

export default defineConfig({
  plugins: [react(), devCsp()],
  server: { headers: isolationHeaders, port: 5173 },
  preview: { headers: previewHeaders, port: 4173 },
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'workers/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    pool: 'forks',
  },
});
