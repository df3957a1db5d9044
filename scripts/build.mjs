// Compiles the server and CLI to dist/ (run by `npm ci` through `prepare`, and by `npm run build`).
// One bundle with its dependencies inside, split at the dynamic imports: a process loads a few
// files instead of hundreds, which is most of start-up (bench/startup.ts shows it). Native and
// optional modules stay outside.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: { main: 'src/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  minify: true,
  keepNames: true,
  external: ['better-sqlite3', 'pg-native'],
  // Bundled CommonJS calls require() for Node's own modules; an ES module has none of its own.
  banner: {
    js: "import { createRequire as __vpcepRequire } from 'node:module';\nconst require = __vpcepRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
