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

/** The first key or string value, in document order, that the text rule refuses. */
function unacceptableIn(value: unknown): string | undefined {
  const stack: [unknown, (string | number)[]][] = [[value, []]];
  while (stack.length > 0) {
    const [v, at] = stack.pop()!;
    if (typeof v === 'string') {
      const why = unacceptableText(v);
      if (why) return `${pathOf(at) || 'The body'} holds ${why}.`;
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], [...at, i]]);
    } else if (typeof v === 'object' && v !== null) {
      const entries = Object.entries(v);
      for (const [k] of entries) {
        const why = unacceptableText(k);
        if (why) return `A field name in ${pathOf(at) || 'the body'} holds ${why}.`;
      }
      for (let i = entries.length - 1; i >= 0; i--) stack.push([entries[i]![1], [...at, entries[i]![0]]]);
    }
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
  const why = unacceptableIn(value);
  return why ? { ok: false, detail: why } : { ok: true, value };
}

/** The first path parameter, query name or value the text rule refuses, as a detail. */
export function unacceptableParameter(params: unknown, query: unknown): string | undefined {
  for (const [where, values] of [
    ['path', params],
    ['query', query],
  ] as const) {
    if (typeof values !== 'object' || values === null) continue;
    for (const [name, value] of Object.entries(values)) {
      for (const text of [name, ...(Array.isArray(value) ? value : [value])]) {
        if (typeof text !== 'string') continue;
        const why = unacceptableText(text);
        if (why) return `A ${where} parameter holds ${why}.`;
      }
    }
  }
  return undefined;
}
