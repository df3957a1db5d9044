// Compiles the server and CLI, and the SDK package export, to dist/ (run by `npm ci` through
// `prepare`, and by `npm run build`).
//
// - dist/main.js: one bundle with its dependencies inside, split at the dynamic imports: a process
//   loads a few files instead of hundreds, which is most of start-up (bench/startup.ts shows it).
//   Native and optional modules stay outside.
// - dist/sdk/index.js: `vpcep/sdk` (package.json `exports`), a bundle of src/sdk of its own (it needs
//   no dependency at run time), readable, for the people who import it.
// - dist/types/: the SDK's declarations, from tsc (tsconfig.sdk.json) beside esbuild.
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

rmSync('dist', { recursive: true, force: true });

/** tsc emitting the SDK's declarations only; type errors are `npm run typecheck`'s to report. */
function declarations() {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsc, '-p', 'tsconfig.sdk.json', '--noCheck'], {
      stdio: 'inherit',
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`tsc exited with ${code}`))));
  });
}

/**
 * Declarations keep the sources' `./x.ts` specifiers; as `./x.js` they resolve to `./x.d.ts` in
 * every consumer's module resolution, with or without allowImportingTsExtensions.
 */
function jsSpecifiers(dir) {
  for (const entry of readdirSync(dir, { recursive: true })) {
    const file = path.join(dir, entry);
    if (!file.endsWith('.d.ts')) continue;
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace(/(from\s+|import\()(['"])(\.{1,2}\/[^'"]*)\.ts\2/g, '$1$2$3.js$2'));
  }
}

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
};

await Promise.all([
  build({
    ...common,
    entryPoints: { main: 'src/main.ts' },
    outdir: 'dist',
    splitting: true,
    minify: true,
    // No keepNames: it wraps every function expression in a call that sets its `name`, which runs
    // each time a closure is made — on every request, in Fastify's hook runners (issue 12: about
    // 7 % of the server's CPU on a read). Nothing here reads a function's or class's name; a logged
    // error's `type` is its class's minified name, its message and code as thrown.
    external: ['better-sqlite3', 'pg-native'],
    // Bundled CommonJS calls require() for Node's own modules; an ES module has none of its own.
    banner: {
      js: "import { createRequire as __vpcepRequire } from 'node:module';\nconst require = __vpcepRequire(import.meta.url);",
    },
  }),
  build({ ...common, entryPoints: { 'sdk/index': 'src/sdk/index.ts' }, outdir: 'dist' }),
  declarations().then(() => jsSpecifiers('dist/types')),
]);
