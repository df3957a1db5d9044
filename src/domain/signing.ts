import { createHash } from 'node:crypto';
import { hmacSha256 } from './secrets.ts';
import { unacceptableText } from './text.ts';

/**
 * SDK-HMAC-SHA256, the AK/SK request signature of Huawei Cloud's SDKs (spec/signing.md).
 * Pure: the caller supplies the request as received and the secret key.
 */

export const ALGORITHM = 'SDK-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** How far `X-Sdk-Date` may be from the server clock. */
export const CLOCK_SKEW_MS = 15 * 60 * 1000;

export interface RequestToVerify {
  method: string;
  /** Path and query exactly as on the request line, e.g. `/v1/p/x?a=1`. */
  url: string;
  /** Header names in lower case, as Node gives them. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface AuthorizationHeader {
  access: string;
  signedHeaders: string[];
  signature: string;
}

/** `SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex`, or undefined when malformed. */
export function parseAuthorization(value: string): AuthorizationHeader | undefined {
  // The AK is looked up in the store: text it cannot hold makes the header malformed (text.ts).
  if (!value.startsWith(`${ALGORITHM} `) || unacceptableText(value)) return undefined;
  const fields = new Map<string, string>();
  for (const part of value.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return undefined;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const access = fields.get('Access');
  const signed = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!access || !signed || !signature || !/^[0-9a-f]{64}$/.test(signature)) return undefined;
  const signedHeaders = signed.split(';');
  if (signedHeaders.some((h) => h === '' || h !== h.toLowerCase())) return undefined;
  return { access, signedHeaders, signature };
}

const UNRESERVED = /[A-Za-z0-9\-_.~]/;
/** A text that strict encoding leaves as it is (most path segments and query parameters). */
const ALL_UNRESERVED = /^[A-Za-z0-9\-_.~]*$/;

/** Percent-encodes every character but `A-Z a-z 0-9 - _ . ~`, as UTF-8 bytes in upper-case hex. */
export function strictEncode(text: string): string {
  if (ALL_UNRESERVED.test(text)) return text;
  let out = '';
  for (const ch of text) {
    if (UNRESERVED.test(ch)) out += ch;
    else
      for (const byte of Buffer.from(ch, 'utf8'))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Decodes runs of `%XX` that stand for non-ASCII bytes, leaving ASCII escapes as they are. */
function decodeNonAscii(segment: string): string {
  return segment.replace(/(?:%[89A-Fa-f][0-9A-Fa-f])+/g, (run) => {
    const text = Buffer.from(run.replace(/%/g, ''), 'hex').toString('utf8');
    return text.includes('\uFFFD') ? run : text;
  });
}

/**
 * The canonical URI the SDK signs. It signs the legacy `url.parse` form of the path, which escapes
 * `'`, `|` and `^` but keeps non-ASCII characters, then encodes each segment strictly (signing.md).
 */
export function canonicalUri(rawPath: string): string {
  const uri = rawPath
    .split('/')
    .map((seg) =>
      // A segment of unreserved characters only comes out as it went in.
      ALL_UNRESERVED.test(seg)
        ? seg
        : strictEncode(decodeNonAscii(seg).replace(/'/g, '%27').replace(/\|/g, '%7C').replace(/\^/g, '%5E')),
    )
    .join('/');
  return uri.endsWith('/') ? uri : `${uri}/`;
}

function decodeQueryPart(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** Parameters decoded, sorted by name then value, re-encoded strictly, joined with `&`. */
export function canonicalQuery(rawQuery: string): string {
  if (rawQuery === '') return '';
  return rawQuery
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      return eq < 0
        ? [decodeQueryPart(p), '']
        : [decodeQueryPart(p.slice(0, eq)), decodeQueryPart(p.slice(eq + 1))];
    })
    .sort(([an = '', av = ''], [bn = '', bv = '']) =>
      an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0,
    )
    .map(([n = '', v = '']) => `${strictEncode(n)}=${strictEncode(v)}`)
    .join('&');
}

/**
 * The value of a header the client names in `SignedHeaders`. The name comes from the client: only
 * the headers object's own entries count, so `__proto__` or `constructor` read as absent, not as
 * something inherited from Object.prototype.
 */
function headerValue(headers: RequestToVerify['headers'], name: string): string {
  if (!Object.hasOwn(headers, name)) return '';
  const v = headers[name];
  if (typeof v === 'string') return v;
  return Array.isArray(v) ? v.filter((x) => typeof x === 'string').join(',') : '';
}

export const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** The six lines of the canonical request, joined by newlines. */
export function canonicalRequest(req: RequestToVerify, signedHeaders: readonly string[]): string {
  const q = req.url.indexOf('?');
  const rawPath = q < 0 ? req.url : req.url.slice(0, q);
  const rawQuery = q < 0 ? '' : req.url.slice(q + 1);
  const payload =
    headerValue(req.headers, 'x-sdk-content-sha256') === UNSIGNED_PAYLOAD
      ? UNSIGNED_PAYLOAD
      : sha256Hex(req.body);
  return [
    req.method.toUpperCase(),
    canonicalUri(rawPath),
    canonicalQuery(rawQuery),
    signedHeaders.map((h) => `${h}:${headerValue(req.headers, h).trim()}\n`).join(''),
    signedHeaders.join(';'),
    payload,
  ].join('\n');
}

export function stringToSign(sdkDate: string, canonical: string): string {
  return `${ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;
}

export function computeSignature(secretKey: string, sdkDate: string, canonical: string): string {
  return hmacSha256(secretKey, stringToSign(sdkDate, canonical)).toString('hex');
}

/** `YYYYMMDDTHHmmssZ` as a Date, or undefined. */
export function parseSdkDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  // Date rolls impossible days and hours over (Feb 30 → Mar 2, 24:00 → next day): those are malformed.
  return Number.isNaN(d.getTime()) || formatSdkDate(d) !== value ? undefined : d;
}

export function formatSdkDate(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
