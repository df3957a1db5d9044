import assert from 'node:assert/strict';

/**
 * A scrape of `GET /metrics`, parsed by the rules of Prometheus' text exposition format (0.0.4),
 * written here rather than taken from the code under test: every sample line (empty ones aside) is
 * `name{label="value",…} number`, every family has one `# HELP` and one `# TYPE` before its samples,
 * and a histogram's buckets rise up to `+Inf`, which equals its `_count`. A scrape that breaks a rule
 * fails the assertion that parses it.
 */
export interface Scrape {
  /** The value of one series; undefined when the scrape does not hold it. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** The value of one series, 0 when absent (a counter or bucket not incremented yet). */
  count(name: string, labels?: Record<string, string>): number;
  /** Every series of one metric name, each with its labels. */
  series(name: string): { labels: Record<string, string>; value: number }[];
  /** The families' declared types, by name. */
  types: Map<string, string>;
  text: string;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*)?\\})? (\\S+)$`);
const LABEL_G = new RegExp(`(${'[a-zA-Z_][a-zA-Z0-9_]*'})="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"`, 'g');

const unescape = (v: string) => v.replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));

/** The family a sample belongs to: a histogram's `_bucket`, `_sum` and `_count` belong to its name. */
function familyOf(name: string, types: Map<string, string>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = name.slice(0, -suffix.length);
    if (name.endsWith(suffix) && types.get(base) === 'histogram') return base;
  }
  return name;
}

const keyOf = (name: string, labels: Record<string, string>) =>
  `${name}{${Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;

export function parseScrape(text: string): Scrape {
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples = new Map<string, { name: string; labels: Record<string, string>; value: number }>();
  const lines = text.split('\n');
  assert.equal(lines.at(-1), '', 'the exposition ends with a line feed');
  for (const line of lines.slice(0, -1)) {
    if (line === '') continue; // empty lines are ignored
    const help = /^# HELP (\S+) .+$/.exec(line);
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (help) {
      assert.ok(!helps.has(help[1]!), `one HELP for ${help[1]}`);
      helps.add(help[1]!);
      continue;
    }
    if (type) {
      assert.ok(!types.has(type[1]!), `one TYPE for ${type[1]}`);
      types.set(type[1]!, type[2]!);
      continue;
    }
    const m = SAMPLE.exec(line);
    assert.ok(m, `a sample line: ${JSON.stringify(line)}`);
    const [, name, rawLabels = '', rawValue] = m;
    // Prometheus reads NaN in any case (Go's ParseFloat); prom-client writes `Nan`.
    const value = rawValue === '+Inf' ? Infinity : rawValue === '-Inf' ? -Infinity : Number(rawValue);
    assert.ok(!Number.isNaN(value) || /^nan$/i.test(rawValue!), `a number: ${line}`);
    const family = familyOf(name!, types);
    assert.ok(types.has(family) && helps.has(family), `HELP and TYPE come before ${name}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of rawLabels.matchAll(LABEL_G)) labels[k!] = unescape(v!);
    const key = keyOf(name!, labels);
    assert.ok(!samples.has(key), `one sample of ${key}`);
    samples.set(key, { name: name!, labels, value });
  }
  for (const [family, type] of types) {
    if (type !== 'histogram') continue;
    const buckets = [...samples.values()].filter((s) => s.name === `${family}_bucket`);
    const bySeries = new Map<string, { le: number; value: number }[]>();
    for (const b of buckets) {
      const { le, ...rest } = b.labels;
      const k = keyOf(family, rest);
      bySeries.set(k, [
        ...(bySeries.get(k) ?? []),
        { le: le === '+Inf' ? Infinity : Number(le), value: b.value },
      ]);
    }
    for (const [k, list] of bySeries) {
      const sorted = [...list].sort((a, b) => a.le - b.le);
      for (let i = 1; i < sorted.length; i++) {
        assert.ok(sorted[i]!.value >= sorted[i - 1]!.value, `${k}: buckets rise`);
      }
      assert.equal(sorted.at(-1)!.le, Infinity, `${k} has a +Inf bucket`);
      const count = samples.get(k.replace(`${family}{`, `${family}_count{`));
      assert.equal(count?.value, sorted.at(-1)!.value, `${k}: the +Inf bucket is the count`);
    }
  }
  const value = (name: string, labels: Record<string, string> = {}) =>
    samples.get(keyOf(name, labels))?.value;
  return {
    value,
    count: (name, labels) => value(name, labels) ?? 0,
    series: (name) =>
      [...samples.values()]
        .filter((s) => s.name === name)
        .map(({ labels, value: v }) => ({ labels, value: v })),
    types,
    text,
  };
}

/** GET `url` (a `/metrics`), asserting a 200 in Prometheus' text format, parsed. */
export async function scrape(url: string, headers: Record<string, string> = {}): Promise<Scrape> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4; charset=utf-8$/);
  return parseScrape(text);
}
