// Builds the console into dist/, which the broker serves at /ui (broker/src/console.ts). `npm run dev -w
// @tributary/console` serves it with hot reload, sending API calls to a broker on localhost:4000.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/ui/',
  // JSX compiles to Preact's automatic runtime (tsconfig.json's jsxImportSource): no Babel preset needed.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 200 },
  server: {
    proxy: Object.fromEntries(
      ['/topics', '/cluster', '/readyz', '/write', '/create_topic', '/delete_topic', '/ui/config.json', '/ui/gateway'].map((path) => [path, 'http://localhost:4000']),
    ),
  },
});
