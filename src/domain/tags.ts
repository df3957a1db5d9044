import { ApiError } from './errors.ts';

/**
 * Tags of endpoints and endpoint services (spec/interface-services.md, "Tags"): the rules a tag
 * obeys wherever it is given, what the tag action does to a resource's list, and the filters of
 * ListResourceInstances. Pure: the store and the wire are the callers'.
 */

export interface Tag {
  key: string;
  value?: string;
}

/** A tag or filter entry as a request may send it: without a key it is an empty tag (EndPoint.3066). */
export type Keyed<T extends { key: string }> = Omit<T, 'key'> & { key?: string };

function keyed<T extends { key: string }>(list: readonly Keyed<T>[]): T[] {
  for (const t of list) {
    if (t.key === undefined) throw new ApiError('EndPoint.3066', 'A tag has no key.');
  }
  return list as T[];
}

/** A tag as a resource holds it: every tag has a value, '' when none was given. */
export interface StoredTag {
  key: string;
  value: string;
}

/** A filter entry of ListResourceInstances: the key, and values any of which matches. */
export interface TagValues {
  key: string;
  values: string[];
}

/** At most this many tags on one resource (CreateEndpointService publishes 20; endpoints alike). */
export const MAX_TAGS = 20;
export const MAX_KEY = 128;
export const MAX_VALUE = 255;

/**
 * Characters of a key: letters and digits of any script, space, and `_ . : = + - @`; no space at
 * either end, and not the system prefix `_sys_`. A value may also hold `/`.
 */
const KEY = /^[\p{L}\p{N}_.:=+\-@ ]*$/u;
const VALUE = /^[\p{L}\p{N}_.:/=+\-@ ]*$/u;

function checkKey(key: string): void {
  if (key.length === 0) throw new ApiError('EndPoint.3066', 'A tag key is empty.');
  if (key.length > MAX_KEY) throw new ApiError('EndPoint.3072', `A tag key is over ${MAX_KEY} characters.`);
  if (!KEY.test(key) || key !== key.trim() || key.toLowerCase().startsWith('_sys_')) {
    throw new ApiError('EndPoint.3068', `Tag key "${key}" has characters a key may not have.`);
  }
}

function checkValue(value: string): void {
  if (value.length > MAX_VALUE) {
    throw new ApiError('EndPoint.3073', `A tag value is over ${MAX_VALUE} characters.`);
  }
  if (!VALUE.test(value)) {
    throw new ApiError('EndPoint.3068', `Tag value "${value}" has characters a value may not have.`);
  }
}

/** The keys of one request, each once (EndPoint.3067). */
function checkUniqueKeys(tags: readonly { key: string }[]): void {
  const seen = new Set<string>();
  for (const t of tags) {
    if (seen.has(t.key)) throw new ApiError('EndPoint.3067', `Tag key "${t.key}" is given twice.`);
    seen.add(t.key);
  }
}

/**
 * Tags given to a resource (at create, or by the create action): each key and value valid, each
 * key once, at most MAX_TAGS. Returns them as stored.
 */
export function validTags(input: readonly Keyed<Tag>[]): StoredTag[] {
  const tags = keyed(input);
  for (const t of tags) {
    checkKey(t.key);
    checkValue(t.value ?? '');
  }
  checkUniqueKeys(tags);
  if (tags.length > MAX_TAGS) throw new ApiError('EndPoint.3069', `At most ${MAX_TAGS} tags.`);
  return tags.map((t) => ({ key: t.key, value: t.value ?? '' }));
}

/**
 * The tag action on a resource's tags. `create` sets each key to its value (a key held already
 * takes the new value), refused past MAX_TAGS in all; `delete` removes each key, or only when its
 * value is the one given. An empty or missing list is EndPoint.3066.
 */
export function applyTagAction(
  current: readonly StoredTag[],
  action: 'create' | 'delete',
  input: readonly Keyed<Tag>[] | undefined,
): StoredTag[] {
  if (!input || input.length === 0) throw new ApiError('EndPoint.3066', 'tags is empty.');
  const tags = keyed(input);
  if (action === 'create') {
    const given = validTags(tags);
    const out = new Map(current.map((t) => [t.key, t.value]));
    for (const t of given) out.set(t.key, t.value);
    if (out.size > MAX_TAGS) {
      throw new ApiError('EndPoint.3069', `A resource holds at most ${MAX_TAGS} tags.`);
    }
    return [...out].map(([key, value]) => ({ key, value }));
  }
  for (const t of tags) {
    checkKey(t.key);
    if (t.value !== undefined) checkValue(t.value);
  }
  checkUniqueKeys(tags);
  const drop = new Map(tags.map((t) => [t.key, t.value]));
  return current.filter((t) => {
    if (!drop.has(t.key)) return true;
    const value = drop.get(t.key);
    return value !== undefined && value !== t.value;
  });
}

/** Tags as stored in a row's JSON column; older rows may hold tags without a value. */
export function storedTags(json: string): StoredTag[] {
  return (JSON.parse(json) as Tag[]).map((t) => ({ key: t.key, value: t.value ?? '' }));
}

// ---- ListResourceInstances

export interface InstanceFilter {
  tags?: Keyed<TagValues>[];
  tags_any?: Keyed<TagValues>[];
  not_tags?: Keyed<TagValues>[];
  not_tags_any?: Keyed<TagValues>[];
  /** Only `resource_name`, matched as a substring. */
  matches?: { key: string; value: string }[];
}

/**
 * A filter's entries as the rules want them: keys valid and each once (EndPoint.3067), values
 * valid and each once within a key (EndPoint.3071). A value `*x` matches any value holding `x`;
 * an empty list of values matches any value.
 */
export function checkFilter(f: InstanceFilter): void {
  for (const given of [f.tags, f.tags_any, f.not_tags, f.not_tags_any]) {
    if (!given) continue;
    const list = keyed(given);
    for (const t of list) {
      checkKey(t.key);
      for (const v of t.values) checkValue(v.startsWith('*') ? v.slice(1) : v);
      if (new Set(t.values).size !== t.values.length) {
        throw new ApiError('EndPoint.3071', `A value of tag key "${t.key}" is given twice.`);
      }
    }
    checkUniqueKeys(list);
  }
  for (const m of f.matches ?? []) {
    if (m.key !== 'resource_name') {
      throw new ApiError('EndPoint.0002', `matches: unknown key "${m.key}"; only resource_name.`);
    }
  }
}

const valueMatches = (wanted: string, value: string) =>
  wanted.startsWith('*') ? value.includes(wanted.slice(1)) : wanted === value;

/** Whether a resource's tags have the key with one of the values (any value when none is listed). */
function has(tags: readonly StoredTag[], f: Keyed<TagValues>): boolean {
  const t = tags.find((x) => x.key === f.key);
  if (!t) return false;
  return f.values.length === 0 || f.values.some((v) => valueMatches(v, t.value));
}

/**
 * Whether a resource passes the filter: all of `tags`, any of `tags_any`, not all of `not_tags`,
 * none of `not_tags_any`, and its name holding each `matches` value.
 */
export function passes(name: string, tags: readonly StoredTag[], f: InstanceFilter): boolean {
  if (f.tags && !f.tags.every((x) => has(tags, x))) return false;
  if (f.tags_any && !f.tags_any.some((x) => has(tags, x))) return false;
  if (f.not_tags && f.not_tags.every((x) => has(tags, x))) return false;
  if (f.not_tags_any && f.not_tags_any.some((x) => has(tags, x))) return false;
  if (f.matches && !f.matches.every((m) => name.includes(m.value))) return false;
  return true;
}

/** The tags of many resources, by key, each key's values once, keys and values sorted. */
export function aggregate(all: readonly (readonly StoredTag[])[]): { key: string; values: string[] }[] {
  const byKey = new Map<string, Set<string>>();
  for (const tags of all) {
    for (const t of tags) {
      const values = byKey.get(t.key) ?? new Set<string>();
      values.add(t.value);
      byKey.set(t.key, values);
    }
  }
  return [...byKey]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, values]) => ({ key, values: [...values].sort() }));
}
