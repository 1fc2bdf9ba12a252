/// <reference types="vitest/config" />
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// Cross-origin isolation gives SharedArrayBuffer and fine timers (DESIGN.md); the same headers are
// served by the dev and preview servers so tests see what users see.
// Cross-Origin-Resource-Policy: cross-origin lets course pages that send COEP: require-corp embed
// our pages and load our files (Fetch §3.7 "Cross-Origin-Resource-Policy header"); hosts should
// send it too (README "Hosting"). Nothing in the app needs isolation: it runs without these headers.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

/**
 * Content-Security-Policy (SECURITY.md): scripts and workers only from our origin, WebAssembly via
 * 'wasm-unsafe-eval' only (never 'unsafe-eval'), no plugins, any page may embed us (embed mode is
 * for course pages). Styles allow inline attributes because d3 and React set style properties.
 * In dev, Vite injects inline module scripts (the React Fast Refresh preamble); their SHA-256
 * hashes are added, so even dev never allows arbitrary inline script.
 */
function csp(inlineScriptHashes: readonly string[], dev: boolean, meta = false): string {
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
    // frame-ancestors is ignored (with a console error) in a <meta> policy (CSP 3 §6.1.2).
    ...(meta ? [] : ['frame-ancestors *']),
  ].join('; ');
}

/**
 * The built index.html carries the same policy as a <meta http-equiv> (CSP 3 §3.3), so a static
 * host that sends no headers (GitHub Pages, a bucket) still enforces it. The build has no inline
 * script, so no hashes are needed; the header, where a host sends it, adds frame-ancestors.
 */
function metaCsp(): Plugin {
  return {
    name: 'quantscope-meta-csp',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        if (/<script(?![^>]*\bsrc=)[^>]*>\s*\S/.test(html))
          throw new Error('index.html: inline script in the build would be blocked by the meta CSP');
        const tag = `<meta http-equiv="Content-Security-Policy" content="${csp([], false, true)}" />`;
        return html.replace('<meta charset="UTF-8" />', `<meta charset="UTF-8" />\n    ${tag}`);
      },
    },
  };
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
  // Relative asset URLs: the same build works at a domain root and under any subpath (GitHub
  // Pages project sites, course servers); `npm run build -- --base /path/` pins an absolute one.
  base: './',
  plugins: [react(), devCsp(), metaCsp()],
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
