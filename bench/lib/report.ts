// What a bench run prints and keeps: the machine, the table of rows, the targets of issue 12, the
// server profile's top entries, and the results file under bench/results/.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { SourceMap } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { LoadResult } from './load.ts';

export interface Row {
  what: string;
  conns?: number;
  result?: LoadResult;
  /** Calls a second of a row driven without the load generator (no latencies): the floor's. */
  rate?: number;
  /** req/s of the ceiling at the same number of connections. */
  ceiling?: number;
  note?: string;
}

export const int = (n: number) => Math.round(n).toLocaleString('en-US');
export const pct = (n: number) => `${(100 * n).toFixed(1)} %`;
export const times = (n: number) => `${n.toFixed(2)}×`;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function table(rows: Row[]): string {
  const lines = [
    '| what | conns | req/s | p50 ms | p99 ms | max ms | errors | of ceiling | note |',
    '|---|--:|--:|--:|--:|--:|--:|--:|---|',
  ];
  for (const { what, conns, result: r, rate, ceiling, note } of rows) {
    const share = (rps: number) => (ceiling ? pct(rps / ceiling) : '—');
    const cells = r
      ? [int(r.rps), r.p50, r.p99, r.max, r.errors, share(r.rps)]
      : rate !== undefined
        ? [int(rate), '—', '—', '—', '—', share(rate)]
        : ['', '', '', '', '', ''];
    lines.push(`| ${[what, conns ?? '', ...cells, note ?? ''].join(' | ')} |`);
  }
  return lines.join('\n');
}

export interface Target {
  what: string;
  measured: string;
  goal: string;
  /** undefined: not measured in this run. */
  met: boolean | undefined;
}

export function targetTable(targets: Target[]): string {
  const lines = ['| target | measured | goal | met |', '|---|--:|--:|---|'];
  for (const t of targets) {
    const met = t.met === undefined ? 'not measured' : t.met ? 'met' : '**not met**';
    lines.push(`| ${t.what} | ${t.measured} | ${t.goal} | ${met} |`);
  }
  return lines.join('\n');
}

/** Cores, CPU, memory, Node, the load before the run, the commit. */
export function machine(root: string, loadBefore: number[]): string[] {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  let commit: string;
  try {
    commit =
      git('rev-parse', '--short', 'HEAD') +
      (git('status', '--porcelain') ? ' (with uncommitted changes)' : '');
  } catch {
    commit = 'unknown (no git)';
  }
  const cpus = os.cpus();
  return [
    `machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`,
    `load average before the run: ${loadBefore.map((l) => l.toFixed(2)).join(', ')} (1, 5, 15 min)`,
    `commit: ${commit}`,
  ];
}

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
}

/**
 * Where a profile's frame is in the sources: the server is one minified bundle (dist/), whose
 * names and lines say nothing, so a frame of it goes through the bundle's linked source map to its
 * source file, line and name (`src/store/sqlite.ts:204`, `kysely/…/sqlite-driver.js:60`). Frames
 * of Node itself, or of a file without a map, keep their own.
 */
function framePlace(maps: Map<string, SourceMap | undefined>, f: ProfileNode['callFrame']): string {
  const own = `${f.functionName || '(anonymous)'} ${f.url ? `${path.basename(f.url)}:${f.lineNumber + 1}` : ''}`;
  if (!f.url.startsWith('file://')) return own.trim();
  const file = `${new URL(f.url).pathname}.map`;
  if (!maps.has(file)) {
    let map: SourceMap | undefined;
    try {
      map = new SourceMap(JSON.parse(fs.readFileSync(file, 'utf8')));
    } catch {
      map = undefined; // no map beside it: the frame keeps its own place
    }
    maps.set(file, map);
  }
  const entry = maps.get(file)?.findEntry(f.lineNumber, f.columnNumber);
  if (!entry || !('originalSource' in entry)) return own.trim();
  const source = entry.originalSource
    .replace(/^.*?\/node_modules\//, '')
    .replace(/^.*?\/(src|bench)\//, '$1/');
  const name = (entry as { name?: string }).name;
  return `${name ?? (f.functionName || '(anonymous)')} ${source}:${entry.originalLine + 1}`;
}

/** The newest profile in `dir`: its file and its top entries by self time, with their share of all samples. */
export function profileTop(dir: string, count = 25): { file: string; top: [string, string][] } | undefined {
  if (!fs.existsSync(dir)) return undefined;
  const newest = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(dir, f))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
  if (!newest) return undefined;
  const { nodes } = JSON.parse(fs.readFileSync(newest, 'utf8')) as { nodes: ProfileNode[] };
  const self = new Map<string, number>();
  const maps = new Map<string, SourceMap | undefined>();
  let total = 0;
  for (const n of nodes) {
    const hits = n.hitCount ?? 0;
    total += hits;
    const name = framePlace(maps, n.callFrame);
    self.set(name, (self.get(name) ?? 0) + hits);
  }
  const top = [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, hits]): [string, string] => [pct(hits / total), name]);
  return { file: newest, top };
}

/**
 * `bench/results/<date>-bench.md`; when a run of that day is there already, the time is added to
 * the name instead of replacing it.
 */
export function writeResults(root: string, text: string, now = new Date()): string {
  const dir = path.join(root, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const day = now.toISOString().slice(0, 10);
  let file = path.join(dir, `${day}-bench.md`);
  if (fs.existsSync(file)) {
    file = path.join(dir, `${day}-bench-${now.toISOString().slice(11, 19).replace(/:/g, '')}.md`);
  }
  fs.writeFileSync(file, text, { flag: 'wx' });
  return file;
}
