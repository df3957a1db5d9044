/**
 * The machine-readable side of the CLI's output: `--query` over the JSON answer and a YAML emitter
 * (README, "CLI": output formats).
 */

export class QueryError extends Error {}

type Step = { kind: 'key'; name: string } | { kind: 'index'; index: number } | { kind: 'all' };

/**
 * Parses the `--query` subset: dotted keys, `[n]` (negative counts from the end) and `[*]`, e.g.
 * `endpoints[0].id`, `endpoints[*].id`, `quotas.resources[*].type`. A leading `$` or `$.` is allowed.
 */
export function parseQuery(query: string): Step[] {
  let q = query.trim();
  if (q.startsWith('$')) q = q.slice(1);
  const steps: Step[] = [];
  const re = /\.?([A-Za-z_][A-Za-z0-9_-]*)|\[(-?\d+)\]|\[\*\]|\.\*/gy;
  let pos = 0;
  while (pos < q.length) {
    re.lastIndex = pos;
    const m = re.exec(q);
    if (!m) throw new QueryError(`--query: cannot read "${query}" at "${q.slice(pos)}"`);
    if (m[1] !== undefined) steps.push({ kind: 'key', name: m[1] });
    else if (m[2] !== undefined) steps.push({ kind: 'index', index: Number(m[2]) });
    else steps.push({ kind: 'all' });
    pos = re.lastIndex;
  }
  return steps;
}

/**
 * Applies the query. After a `[*]` the rest applies to every element and the result is a list;
 * a missing key or index gives `undefined` (printed as nothing: `null` in JSON).
 */
export function applyQuery(value: unknown, query: string): unknown {
  const run = (v: unknown, steps: Step[]): unknown => {
    if (steps.length === 0) return v;
    const [step, ...rest] = steps as [Step, ...Step[]];
    if (step.kind === 'all') {
      const items = Array.isArray(v) ? v : v !== null && typeof v === 'object' ? Object.values(v) : [];
      return items.map((item) => run(item, rest)).filter((x) => x !== undefined);
    }
    if (step.kind === 'index') {
      if (!Array.isArray(v)) return undefined;
      return run(v.at(step.index), rest);
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    return run((v as Record<string, unknown>)[step.name], rest);
  };
  return run(value, parseQuery(query));
}

const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./@:-]*$/;
const RESERVED = /^(true|false|null|yes|no|on|off|~|y|n)$/i;

function scalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const s = String(v);
  if (PLAIN.test(s) && !RESERVED.test(s) && !s.includes(': ')) return s;
  // A JSON string is a valid YAML double-quoted scalar.
  return JSON.stringify(s);
}

const isScalar = (v: unknown) => v === null || typeof v !== 'object';

/** YAML for a JSON value (block style; empty collections as `[]`/`{}`). */
export function toYaml(value: unknown): string {
  const lines: string[] = [];
  const emit = (v: unknown, indent: string): void => {
    if (Array.isArray(v)) {
      for (const item of v) {
        if (isScalar(item) || isEmpty(item)) lines.push(`${indent}- ${inline(item)}`);
        else {
          const start = lines.length;
          emit(item, `${indent}  `);
          // The first line of the nested block carries the dash.
          lines[start] = `${indent}- ${lines[start]!.slice(indent.length + 2)}`;
        }
      }
      return;
    }
    for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
      if (item === undefined) continue;
      if (isScalar(item) || isEmpty(item)) lines.push(`${indent}${scalar(k)}: ${inline(item)}`);
      else {
        lines.push(`${indent}${scalar(k)}:`);
        emit(item, Array.isArray(item) ? indent : `${indent}  `);
      }
    }
  };
  if (isScalar(value) || isEmpty(value)) return `${inline(value)}\n`;
  emit(value, '');
  return `${lines.join('\n')}\n`;
}

function isEmpty(v: unknown): boolean {
  return Array.isArray(v)
    ? v.length === 0
    : v !== null && typeof v === 'object' && Object.keys(v).length === 0;
}

function inline(v: unknown): string {
  if (Array.isArray(v)) return '[]';
  if (v !== null && typeof v === 'object') return '{}';
  return scalar(v);
}
