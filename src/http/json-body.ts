import { unacceptableText } from '../domain/text.ts';

/**
 * How deep a request body may nest. The deepest body of the API (a policy statement's condition)
 * is 7 levels; past this bound a body is refused before it is parsed, so nothing downstream (the
 * validator, the serializer, a driver) ever recurses over attacker-chosen depth.
 */
export const MAX_JSON_DEPTH = 32;

export type Parsed = { ok: true; value: unknown } | { ok: false; detail: string };

/** Nesting depth of JSON text, counting brackets outside strings; stops early past `limit`. */
function depthOver(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** `a.b[2].c`, for the detail of a refusal. */
function pathOf(parts: (string | number)[]): string {
  return parts.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p),
    '',
  );
}

/**
 * The first key or string value, in document order, that the text rule refuses. Recursive: the
 * depth is bounded before parsing (MAX_JSON_DEPTH), and `at` is the path so far, one array pushed
 * and popped, not a copy per value.
 */
function unacceptableIn(value: unknown, at: (string | number)[]): string | undefined {
  if (typeof value === 'string') {
    const why = unacceptableText(value);
    return why && `${pathOf(at) || 'The body'} holds ${why}.`;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      at.push(i);
      const why = unacceptableIn(value[i], at);
      at.pop();
      if (why) return why;
    }
    return undefined;
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  for (const k of keys) {
    const why = unacceptableText(k);
    if (why) return `A field name in ${pathOf(at) || 'the body'} holds ${why}.`;
  }
  for (const k of keys) {
    at.push(k);
    const why = unacceptableIn(object[k], at);
    at.pop();
    if (why) return why;
  }
  return undefined;
}

/**
 * A request body as JSON, bounded and checked where it is parsed: nesting at most MAX_JSON_DEPTH
 * (its size is the body limit), every key and string within the text rule (domain/text.ts).
 */
export function parseJsonBody(text: string): Parsed {
  if (depthOver(text, MAX_JSON_DEPTH)) {
    return { ok: false, detail: `The body nests deeper than ${MAX_JSON_DEPTH} levels.` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, detail: 'The body is not valid JSON.' };
  }
  const why = unacceptableIn(value, []);
  return why ? { ok: false, detail: why } : { ok: true, value };
}

/** The first path parameter, query name or value the text rule refuses, as a detail. */
export function unacceptableParameter(params: unknown, query: unknown): string | undefined {
  const inPath = unacceptableAmong(params);
  if (inPath) return `A path parameter holds ${inPath}.`;
  const inQuery = unacceptableAmong(query);
  return inQuery && `A query parameter holds ${inQuery}.`;
}

/** What the text rule refuses in the first name or value of `values` it refuses (a value may be a list). */
function unacceptableAmong(values: unknown): string | undefined {
  if (typeof values !== 'object' || values === null) return undefined;
  const record = values as Record<string, unknown>;
  for (const name of Object.keys(record)) {
    const why = unacceptableText(name) ?? unacceptableValue(record[name]);
    if (why) return why;
  }
  return undefined;
}

function unacceptableValue(value: unknown): string | undefined {
  if (typeof value === 'string') return unacceptableText(value);
  if (!Array.isArray(value)) return undefined;
  for (const item of value) {
    const why = typeof item === 'string' ? unacceptableText(item) : undefined;
    if (why) return why;
  }
  return undefined;
}
