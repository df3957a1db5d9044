import fs from 'node:fs';

/** A data dir the server will not use, in words for the person who started it. */
export class DataDirError extends Error {}

/**
 * Creates the data dir, or makes an existing one private, at every start: it holds the SQLite
 * database (every SK, the token key) and credentials.json, so only the server's user may list or
 * read it (mode 0700). A dir that cannot be made so is refused rather than used as it is.
 */
export function privateDataDir(dir: string, chmod: (dir: string, mode: number) => void = fs.chmodSync): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const mode = fs.statSync(dir).mode & 0o777;
  if (mode === 0o700) return;
  try {
    chmod(dir, 0o700);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new DataDirError(
      `the data dir ${dir} has mode ${mode.toString(8).padStart(4, '0')}, so other users may read it, and it ` +
        `cannot be made 0700 (${code}). Make it private ("chmod 700 ${dir}" as its owner), or choose ` +
        'another with --data-dir or VPCEP_DATA_DIR.',
    );
  }
}
