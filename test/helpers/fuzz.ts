import type { RouteDef } from '../../src/http/route.ts';

/**
 * Generators of hostile requests from the route schemas (issue 8, the fuzz suite). Everything is
 * drawn from one seeded PRNG, so a seed replays the same requests.
 */

export type Rnd = () => number;

export const int = (rnd: Rnd, min: number, max: number) => min + Math.floor(rnd() * (max - min + 1));
export const pick = <T>(rnd: Rnd, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
export const chance = (rnd: Rnd, p: number) => rnd() < p;

/**
 * JSON text spliced into a body as it is: nesting deeper than JSON.stringify (or the test's own
 * stack) would take, duplicate keys, bytes that are not valid JSON.
 */
export class Raw {
  constructor(readonly text: string) {}
}

/** JSON text of a value that may hold Raw fragments. */
export function toJson(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : toJson(v))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value))
      if (v !== undefined) parts.push(`${JSON.stringify(k)}:${toJson(v)}`);
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Values that mean something to the server (existing ids, valid CIDRs), by field name. */
export type Known = Record<string, string[]>;

type Schema = Record<string, unknown>;

const SAFE = 'abcdefghijklmnopqrstuvwxyz0123456789-_.';

function safeText(rnd: Rnd, min: number, max: number): string {
  let out = '';
  const n = int(rnd, min, Math.min(max, Math.max(min, 12)));
  for (let i = 0; i < n; i++) out += SAFE[Math.floor(rnd() * SAFE.length)];
  return out;
}

/** A value the schema accepts (or nearly: patterns are honoured only by the safe alphabet). */
export function valid(rnd: Rnd, schema: unknown, known: Known, name = '', depth = 0): unknown {
  const s = (schema ?? {}) as Schema;
  if (Array.isArray(s.anyOf)) return valid(rnd, pick(rnd, s.anyOf), known, name, depth);
  if (Array.isArray(s.enum)) return pick(rnd, s.enum);
  if ('const' in s) return s.const;
  const hint = known[name];
  switch (s.type) {
    case 'string': {
      if (hint && hint.length > 0 && chance(rnd, 0.8)) return pick(rnd, hint);
      return safeText(rnd, Number(s.minLength ?? 0), Number(s.maxLength ?? 32));
    }
    case 'integer':
    case 'number': {
      const min = Number(s.minimum ?? 0);
      const max = Number(s.maximum ?? min + 100);
      return int(rnd, min, Math.min(max, min + 50));
    }
    case 'boolean':
      return chance(rnd, 0.5);
    case 'array': {
      const min = Number(s.minItems ?? 0);
      const max = Math.min(Number(s.maxItems ?? 3), min + 3);
      return Array.from({ length: int(rnd, min, max) }, () => valid(rnd, s.items, known, name, depth + 1));
    }
    case 'object': {
      const out: Record<string, unknown> = {};
      const required = new Set((s.required as string[] | undefined) ?? []);
      for (const [k, v] of Object.entries((s.properties as Record<string, unknown>) ?? {})) {
        if (required.has(k) || chance(rnd, 0.5)) out[k] = valid(rnd, v, known, k, depth + 1);
      }
      const patterns = s.patternProperties as Record<string, unknown> | undefined;
      if (patterns) {
        for (let i = int(rnd, 0, 2); i > 0; i--)
          out[safeText(rnd, 1, 8)] = valid(rnd, Object.values(patterns)[0], known, '', depth + 1);
      }
      return out;
    }
    default:
      return null;
  }
}

/** Strings no field should take quietly. */
export function hostileString(rnd: Rnd): string | Raw {
  return pick(rnd, [
    () => '',
    () => ' ',
    () => 'x'.repeat(int(rnd, 65, 600)),
    () => 'y'.repeat(int(rnd, 10_000, 200_000)),
    () => 'a\u0000b',
    () => '\u0000',
    () => `ctl${String.fromCharCode(int(rnd, 1, 31))}x`,
    () => 'del\u007f',
    () => '\ud800',
    () => 'x\udfff',
    () => '😀🇨🇳',
    () => '中文名字',
    () => '\u202eevil\u202c',
    () => 'é'.repeat(300),
    () => '<script>alert(1)</script>',
    () => "'; drop table vpcs; --",
    () => '../../etc/passwd',
    () => '%00',
    () => '__proto__',
    () => 'constructor',
    () => '*',
    () => '\r\nX-Injected: 1',
    () => '0.0.0.0/0',
    () => '999.999.999.999/99',
    () => 'NaN',
    () => new Raw('"\\ud800\\udc00\\ud800"'),
  ])();
}

/** Any JSON value, with some depth. */
function junk(rnd: Rnd, depth = 0): unknown {
  const kind = depth > 3 ? int(rnd, 0, 4) : int(rnd, 0, 6);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return chance(rnd, 0.5);
    case 2:
      return pick(rnd, [0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, -0, 4294967296]);
    case 3:
      return hostileString(rnd);
    case 4:
      return safeText(rnd, 0, 8);
    case 5:
      return Array.from({ length: int(rnd, 0, 4) }, () => junk(rnd, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = int(rnd, 0, 4); i > 0; i--) o[safeText(rnd, 1, 6)] = junk(rnd, depth + 1);
      return o;
    }
  }
}

/** Nesting as text: `levels` arrays or objects around a value. */
export function deep(rnd: Rnd, levels: number): Raw {
  return chance(rnd, 0.5)
    ? new Raw(`${'['.repeat(levels)}1${']'.repeat(levels)}`)
    : new Raw(`${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`);
}

/** A replacement for one value: wrong type, null, hostile text, huge, deep. */
function hostileValue(rnd: Rnd): unknown {
  return pick(rnd, [
    () => null,
    () => junk(rnd),
    () => hostileString(rnd),
    () => pick(rnd, [true, 0, -1, 1.5, 1e308, '1', [], {}, [null], { '': '' }]),
    () => Array.from({ length: int(rnd, 1000, 20_000) }, () => pick(rnd, ['x', 1, null, {}])),
    () => deep(rnd, pick(rnd, [33, 100, 4150, 20_000])),
    () => deep(rnd, int(rnd, 2, 32)),
    () => new Raw('1e99999'),
    () => new Raw('-0.0e-0'),
    () => new Raw('123456789012345678901234567890'),
  ])();
}

/** Paths to every value inside `v` (objects and arrays), the root included. */
function paths(v: unknown, at: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (typeof v === 'object' && v !== null && !(v instanceof Raw)) {
    for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  }
  return out;
}

function setAt(root: unknown, at: (string | number)[], value: unknown, remove = false): unknown {
  if (at.length === 0) return value;
  const parent = at.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], root);
  const key = at[at.length - 1]!;
  if (remove) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete (parent as Record<string, unknown>)[key];
  } else (parent as Record<string | number, unknown>)[key] = value;
  return root;
}

const EXTRA_NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  'extra',
  'id',
  'project_id',
  'x\u0000y',
  '😀',
  '',
  'toString',
];

/** One mutation of a valid value, somewhere inside it. */
export function mutate(rnd: Rnd, value: unknown): unknown {
  const root = structuredClone(value);
  const all = paths(root);
  const at = pick(rnd, all);
  switch (int(rnd, 0, 5)) {
    case 0:
    case 1:
      return setAt(root, at, hostileValue(rnd));
    case 2: // a field missing
      return at.length === 0 ? undefined : setAt(root, at, undefined, true);
    case 3: {
      // an unknown field, where an object is
      const objects = all.filter((p) => {
        const v = p.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], root);
        return typeof v === 'object' && v !== null && !Array.isArray(v);
      });
      if (objects.length === 0) return setAt(root, at, hostileValue(rnd));
      const where = pick(rnd, objects);
      const target = where.reduce<unknown>(
        (o, k) => (o as Record<string | number, unknown>)[k],
        root,
      ) as Record<string, unknown>;
      Object.defineProperty(target, pick(rnd, EXTRA_NAMES), {
        value: chance(rnd, 0.3) ? hostileValue(rnd) : junk(rnd),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      return root;
    }
    case 4:
      return setAt(root, at, hostileString(rnd));
    default: // a string grown past any bound
      return setAt(root, at, 'z'.repeat(int(rnd, 65, 5000)));
  }
}

/** Whole bodies that are not what any route wants. */
export function hostileBody(rnd: Rnd, valid: unknown): string | Buffer {
  const text = toJson(valid);
  return pick(rnd, [
    () => '',
    () => ' \n\t ',
    () => 'null',
    () => '[]',
    () => '"text"',
    () => '42',
    () => '{',
    () => text.slice(0, Math.max(0, text.length - int(rnd, 1, 5))),
    () => `${text}${text}`,
    () => `\ufeff${text}`,
    () => text.replace(/^\{/, '{"dup":1,"dup":2,'),
    () => text.replace(/"([a-z_]+)":/, '"$1":null,"$1":'),
    () =>
      Buffer.concat([
        Buffer.from(text.slice(0, -1)),
        Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
        Buffer.from('}'),
      ]),
    () => Buffer.from([0xed, 0xa0, 0x80]),
    () => `{"a":"${'\\u0000'.repeat(5)}"}`,
    () => `{"a":1}${'\u0000'}`,
    () => '<xml/>',
    () => 'a=1&b=2',
    () => toJson(deep(rnd, 4150)),
    () => `{"k":"${'x'.repeat(1024 * 1024)}"}`,
    () => `[${Array(50_000).fill('1').join(',')}]`,
  ])();
}

/** Path parameter values: known ids most of the time, else something hostile. */
export function pathValue(rnd: Rnd, known: string[] | undefined): string {
  if (known && known.length > 0 && chance(rnd, 0.6)) return encodeURIComponent(pick(rnd, known));
  return pick(rnd, [
    () => '..',
    () => '..%2F..%2Fetc%2Fpasswd',
    () => '%2e%2e',
    () => '%00',
    () => 'a%00b',
    () => '%0d%0aX-Injected:%201',
    () => '%1b%5b2J',
    () => '%ED%A0%80',
    () => '%zz',
    () => '%',
    () => 'x'.repeat(int(rnd, 65, 700)),
    () => '%F0%9F%98%80',
    () => encodeURIComponent('中文'),
    () => '__proto__',
    () => 'constructor',
    () => '%20',
    () => '*',
    () => safeText(rnd, 1, 40),
    () => '00000000-0000-4000-8000-000000000000',
  ])();
}

/** A query string for a route: its fields, valid or not, and sometimes others. */
export function queryFor(rnd: Rnd, route: RouteDef, known: Known): string {
  const schema = route.schema.querystring as Schema | undefined;
  const parts: string[] = [];
  const props = Object.entries((schema?.properties as Record<string, unknown>) ?? {});
  for (const [name, s] of props) {
    if (!chance(rnd, 0.5)) continue;
    const v = chance(rnd, 0.6)
      ? String(valid(rnd, s, known, name))
      : pick(rnd, [
          '',
          'abc',
          '-1',
          '0',
          '1e99',
          '99999999999999999999',
          '1.5',
          'true',
          '%00',
          'a%00b',
          '%0a',
          '%ED%A0%80',
          '%zz',
          'x'.repeat(200),
        ]);
    parts.push(`${name}=${/%/.test(v) ? v : encodeURIComponent(v)}`);
    if (chance(rnd, 0.1)) parts.push(`${name}=${encodeURIComponent(String(valid(rnd, s, known, name)))}`);
  }
  if (chance(rnd, 0.15))
    parts.push(
      pick(rnd, ['extra=1', '__proto__=x', 'constructor[prototype]=1', '%00=1', 'a[b][c]=d', '&&', '=']),
    );
  return parts.length > 0 ? `?${parts.join('&')}` : chance(rnd, 0.05) ? '?' : '';
}
