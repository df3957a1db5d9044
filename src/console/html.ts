/**
 * HTML that is escaped by default (spec/console.md, "Escaping"): the `html` tagged template escapes
 * every value put into it, unless the value is HTML this module made. A page built with `html` only
 * can carry no tag and no attribute that came from data; nothing in the console concatenates markup
 * from strings.
 */

/** The key of an Html's text; not exported, so only this module makes one. */
const MARKUP = Symbol('markup');

export interface Html {
  readonly [MARKUP]: string;
}

export type Value = Html | string | number | boolean | null | undefined | readonly Value[];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe in element content and in quoted attribute values alike. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const isHtml = (v: unknown): v is Html => typeof v === 'object' && v !== null && MARKUP in v;

function render(value: Value): string {
  if (Array.isArray(value)) return value.map(render).join('');
  if (isHtml(value)) return value[MARKUP];
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/** `html\`<p>${text}</p>\``: values escaped, arrays joined, null, undefined and false left out. */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!;
  values.forEach((value, i) => (out += render(value) + strings[i + 1]!));
  return { [MARKUP]: out };
}

/** The markup of a page, to send. */
export const markup = (page: Html): string => page[MARKUP];
