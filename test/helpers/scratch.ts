import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { createTestDatabase, type TestDatabase } from './pgdb.ts';
import { stopAll } from './server.ts';

/**
 * What a test file leaves behind, given back in one `after` once its tests are done: first every
 * server it spawned is killed, then what it deferred is undone (the last first: a store closes
 * before the database under it is dropped), then its temporary directories are removed. Each step
 * runs even when one before it failed; the first failure is thrown at the end.
 *
 * Call it once, at the top of the file: `const scratch = useScratch('vpcep-outage-')`.
 */
export interface Scratch {
  /** A new empty directory under the system's temporary directory. */
  dir(): string;
  /** Runs `undo` after the file's tests, once its servers are gone. */
  defer(undo: () => unknown): void;
  /** A PostgreSQL database of its own (pgdb.ts), dropped afterwards. */
  database(prefix: string): Promise<TestDatabase>;
}

export function useScratch(prefix: string): Scratch {
  const dirs: string[] = [];
  const undos: (() => unknown)[] = [];
  after(async () => {
    const steps = [
      stopAll,
      ...undos.reverse(),
      ...dirs.map((d) => () => fs.rmSync(d, { recursive: true, force: true })),
    ];
    const failures: unknown[] = [];
    for (const step of steps) {
      try {
        await step();
      } catch (e) {
        failures.push(e);
      }
    }
    if (failures.length > 0) throw failures[0];
  });
  return {
    dir() {
      const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
      dirs.push(d);
      return d;
    },
    defer(undo) {
      undos.push(undo);
    },
    async database(dbPrefix) {
      const db = await createTestDatabase(dbPrefix);
      undos.push(() => db.drop());
      return db;
    },
  };
}
