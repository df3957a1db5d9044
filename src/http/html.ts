/**
 * HTML made from text by escaping it: the `html` tagged template escapes every value put in it,
 * unless the value is HTML this module made. So a page built only with `html` carries no tag and
 * no attribute that came from data (design.md, "honojs/hono": an escaping `html` template).
 */

/** The key of the text of an Html; not exported, so only this module makes one. */
const TEXT = Symbol('html');

export interface Html {
  readonly [TEXT]: string;
}

const trusted = (text: string): Html => ({ [TEXT]: text });

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

function render(value: Value): string {
  if (Array.isArray(value)) return value.map(render).join('');
  if (typeof value === 'object' && value !== null && TEXT in value) return value[TEXT];
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/** `html\`<p>${text}</p>\``: the values escaped, arrays joined, null, undefined and false left out. */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!;
  values.forEach((value, i) => (out += render(value) + strings[i + 1]!));
  return trusted(out);
}

/** Parts joined by a separator, each escaped as `html` escapes it. */
export const join = (parts: readonly Value[], separator: Value): Html =>
  trusted(parts.map(render).join(render(separator)));

/** The text of a page. */
export const toText = (page: Html): string => page[TEXT];
