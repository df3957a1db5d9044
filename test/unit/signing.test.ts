import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import querystring from 'node:querystring';
import { describe, test } from 'node:test';
import url from 'node:url';
import fc from 'fast-check';
import {
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  computeSignature,
  formatSdkDate,
  parseAuthorization,
  parseSdkDate,
  sha256Hex,
  strictEncode,
  stringToSign,
  UNSIGNED_PAYLOAD,
} from '../../src/domain/signing.ts';
import { authorizationParts, sign } from '../helpers/sign.ts';
import { GET_VECTOR, PUT_VECTOR, VECTOR } from '../helpers/signing-vectors.ts';

/** The static helpers of the official signer, to compare the server's rules with (signing.md). */
const { AKSKSigner } = createRequire(import.meta.url)(
  '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner',
) as {
  AKSKSigner: {
    CanonicalURI(pathname: string): string;
    CanonicalQueryString(r: { queryParams: Record<string, string | string[]> }): string;
  };
};

const { ak: AK, sk: SK, project: PROJECT, host: HOST, sdkDate: DATE, emptySha256: EMPTY_SHA256 } = VECTOR;
const SIGNED = [...VECTOR.signedHeaders];
const HEADERS = {
  'content-type': 'application/json',
  host: HOST,
  'x-project-id': PROJECT,
  'x-sdk-date': DATE,
};

describe('signing.md test vectors', () => {
  const { url: putUrl, body: putBody } = PUT_VECTOR;
  const getUrl = GET_VECTOR.url;

  test('1: PUT with a body — payload hash, canonical request hash, signature', () => {
    const body = Buffer.from(JSON.stringify(putBody));
    assert.equal(sha256Hex(body), PUT_VECTOR.payloadSha256);
    const canonical = canonicalRequest({ method: 'PUT', url: putUrl, headers: HEADERS, body }, SIGNED);
    assert.equal(sha256Hex(canonical), PUT_VECTOR.canonicalSha256);
    assert.equal(computeSignature(SK, DATE, canonical), PUT_VECTOR.signature);
    assert.equal(stringToSign(DATE, canonical), `SDK-HMAC-SHA256\n${DATE}\n${PUT_VECTOR.canonicalSha256}`);
  });

  test('2: GET with a query — canonical query, canonical request hash, signature', () => {
    const q = getUrl.slice(getUrl.indexOf('?') + 1);
    assert.equal(canonicalQuery(q), GET_VECTOR.canonicalQuery);
    const canonical = canonicalRequest(
      { method: 'GET', url: getUrl, headers: HEADERS, body: Buffer.alloc(0) },
      SIGNED,
    );
    assert.equal(sha256Hex(canonical), GET_VECTOR.canonicalSha256);
    assert.equal(computeSignature(SK, DATE, canonical), GET_VECTOR.signature);
  });

  test('the official signer produces the same Authorization headers', () => {
    const date = VECTOR.date;
    const put = sign({
      ak: AK,
      sk: SK,
      method: 'PUT',
      url: putUrl,
      host: HOST,
      date,
      headers: { 'X-Project-Id': PROJECT },
      body: putBody,
    });
    assert.equal(
      put.headers.Authorization,
      `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=${SIGNED.join(';')}, Signature=${PUT_VECTOR.signature}`,
    );
    assert.equal(put.headers['X-Sdk-Date'], DATE);
    assert.equal(put.headers.host, HOST);
    const get = sign({
      ak: AK,
      sk: SK,
      method: 'GET',
      url: getUrl,
      host: HOST,
      date,
      headers: { 'X-Project-Id': PROJECT },
    });
    assert.equal(authorizationParts(get.headers.Authorization!).signature, GET_VECTOR.signature);
  });
});

describe('canonicalRequest', () => {
  test('six lines; the header block ends with a newline, so an empty line precedes SignedHeaders', () => {
    const canonical = canonicalRequest(
      {
        method: 'get',
        url: '/v1/p/x?b=2&a=1',
        headers: { host: 'h:1', 'x-sdk-date': DATE },
        body: Buffer.alloc(0),
      },
      ['host', 'x-sdk-date'],
    );
    assert.equal(
      canonical,
      ['GET', '/v1/p/x/', 'a=1&b=2', `host:h:1\nx-sdk-date:${DATE}\n`, 'host;x-sdk-date', EMPTY_SHA256].join(
        '\n',
      ),
    );
  });

  test('X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD replaces the body hash', () => {
    const headers = { host: 'h', 'x-sdk-date': DATE, 'x-sdk-content-sha256': UNSIGNED_PAYLOAD };
    const a = canonicalRequest({ method: 'PUT', url: '/a', headers, body: Buffer.from('{"a":1}') }, ['host']);
    const b = canonicalRequest({ method: 'PUT', url: '/a', headers, body: Buffer.from('{"b":2}') }, ['host']);
    assert.equal(a, b);
    assert.ok(a.endsWith(`\n${UNSIGNED_PAYLOAD}`));
  });

  test('a signed header that is absent signs as an empty value', () => {
    const canonical = canonicalRequest({ method: 'GET', url: '/', headers: {}, body: Buffer.alloc(0) }, [
      'x-project-id',
    ]);
    assert.equal(canonical.split('\n')[3], 'x-project-id:');
  });

  test("names of Object.prototype's members sign as absent headers, never as what they inherit", () => {
    const names = ['__proto__', 'constructor', 'tostring', 'hasownproperty', 'valueof'];
    for (const headers of [{}, { host: 'h' }, Object.assign(Object.create(null), { host: 'h' })]) {
      const canonical = canonicalRequest({ method: 'GET', url: '/', headers, body: Buffer.alloc(0) }, [
        ...names,
        'toString',
      ]);
      assert.equal(
        canonical
          .split('\n')
          .slice(3, 3 + names.length + 1)
          .join('\n'),
        [...names, 'toString'].map((n) => `${n}:`).join('\n'),
      );
    }
  });
});

/** Rules of a canonical form (signing.md), each with inputs and what they sign as. */
type Rules = [rule: string, cases: [input: string, signed: string][]][];

describe('canonicalUri', () => {
  const uuidPath = `/v1/${PROJECT}/routetables/4189d3c2-8882-4871-a3c2-d380272eed83`;
  const rules: Rules = [
    [
      'always ends in "/"',
      [
        ['/v1/p/vpc-endpoints', '/v1/p/vpc-endpoints/'],
        ['/v1/p/vpc-endpoints/', '/v1/p/vpc-endpoints/'],
        ['/', '/'],
        ['', '/'],
      ],
    ],
    ['UUID-style IDs are unchanged', [[uuidPath, `${uuidPath}/`]]],
    [
      'non-ASCII segments encode as UTF-8, whether they arrive escaped (either case) or raw',
      [
        ['/v1/%E8%B7%AF%E7%94%B1/x', '/v1/%E8%B7%AF%E7%94%B1/x/'],
        ['/v1/%e8%b7%af%e7%94%b1/x', '/v1/%E8%B7%AF%E7%94%B1/x/'],
        ['/v1/路由/x', '/v1/%E8%B7%AF%E7%94%B1/x/'],
        ['/caf%C3%A9-%F0%9F%98%80', '/caf%C3%A9-%F0%9F%98%80/'],
      ],
    ],
    [
      "' | ^ are escaped first, as the SDK's url.parse does, then encoded again",
      [
        ["/a'b", '/a%2527b/'],
        ['/a|b', '/a%257Cb/'],
        ['/a^b', '/a%255Eb/'],
      ],
    ],
    [
      'ASCII escapes stay escaped: %20 signs as %2520',
      [
        ['/a%20b', '/a%2520b/'],
        ['/a%7Bb%7D', '/a%257Bb%257D/'],
        ['/a%2Fb', '/a%252Fb/'],
      ],
    ],
    [
      'reserved ASCII characters are percent-encoded in upper-case hex',
      [
        ['/a:b@c!d*e(f)g;h=i,j$k&l+m', '/a%3Ab%40c%21d%2Ae%28f%29g%3Bh%3Di%2Cj%24k%26l%2Bm/'],
        ['/A-Z_a.z~0', '/A-Z_a.z~0/'],
      ],
    ],
  ];
  for (const [rule, cases] of rules) {
    test(rule, () => {
      for (const [input, signed] of cases) assert.equal(canonicalUri(input), signed, input);
    });
  }

  test('of the path the SDK sends, equals what the official signer signs (url.parse form)', () => {
    // Segments of printable ASCII and non-ASCII characters; `/ ? # % \` are not path data, and the
    // WHATWG URL parser the SDK's HTTP client uses drops tabs, trailing spaces and dot segments
    // from what it sends (a client-side change no server can undo).
    const char = fc.oneof(
      fc.constantFrom(...' !"$&\'()*+,-.:;<=>@[]^_`{|}~AZaz09'),
      fc.constantFrom('é', 'ü', '路', '由', '😀'),
    );
    const path = fc
      .array(fc.string({ unit: char, maxLength: 8 }), { minLength: 1, maxLength: 4 })
      .filter((segs) => segs.every((s) => s !== '.' && s !== '..'))
      .map((segs) => `/${segs.join('/')}`)
      .filter((p) => p === p.trimEnd());
    fc.assert(
      fc.property(path, (raw) => {
        const signed = AKSKSigner.CanonicalURI(url.parse(`http://h:1${raw}`).pathname ?? '');
        const sent = new URL(`http://h:1${raw}`).pathname;
        assert.equal(canonicalUri(sent), signed, `path ${JSON.stringify(raw)} sent as ${sent}`);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('canonicalQuery', () => {
  const rules: Rules = [
    ['empty query', [['', '']]],
    [
      'sorted by name, then by value; repeated keys all kept',
      [
        ['b=2&a=3&a=1&c=x&a=2', 'a=1&a=2&a=3&b=2&c=x'],
        ['tag=z&tag=a&Tag=m', 'Tag=m&tag=a&tag=z'],
      ],
    ],
    [
      '"+" decodes as a space and signs as %20; an escaped plus stays a plus',
      [
        ['name=a+b', 'name=a%20b'],
        ['name=a%20b', 'name=a%20b'],
        ['name=a%2Bb', 'name=a%2Bb'],
      ],
    ],
    [
      'names and values are decoded, then encoded strictly in upper-case hex',
      [
        ['n%61me=%e8%b7%af', 'name=%E8%B7%AF'],
        ["q=it's(*)!", 'q=it%27s%28%2A%29%21'],
        ['q=~-_.', 'q=~-_.'],
      ],
    ],
    [
      'a parameter without "=" signs with an empty value; empty pairs are skipped',
      [
        ['flag&a=1', 'a=1&flag='],
        ['a=1&&b=2&', 'a=1&b=2'],
        ['a=', 'a='],
      ],
    ],
  ];
  for (const [rule, cases] of rules) {
    test(rule, () => {
      for (const [input, signed] of cases) assert.equal(canonicalQuery(input), signed, input);
    });
  }

  test('of the query the SDK sends, equals what the official signer signs', () => {
    const char = fc.oneof(
      fc.constantFrom(...' !"#$%&\'()*+,-./:;<=>?@[]^_`{|}~AZaz09'),
      fc.constantFrom('é', '路', '😀'),
    );
    const text = fc.string({ unit: char, maxLength: 6 });
    const params = fc.dictionary(
      text.filter((k) => k !== ''),
      fc.oneof(text, fc.array(text, { minLength: 1, maxLength: 3 })),
    );
    fc.assert(
      fc.property(params, (p) => {
        const signed = AKSKSigner.CanonicalQueryString({ queryParams: structuredClone(p) });
        // The SDK serialises with querystring.stringify; its HTTP client sends it through WHATWG URL.
        const sent = new URL(`http://h:1/p?${querystring.stringify(p)}`).search.slice(1);
        assert.equal(canonicalQuery(sent), signed, `params ${JSON.stringify(p)} sent as ${sent}`);
      }),
      { numRuns: 2000 },
    );
  });
});

test('strictEncode keeps only A-Z a-z 0-9 - _ . ~', () => {
  assert.equal(strictEncode('Az09-_.~'), 'Az09-_.~');
  assert.equal(strictEncode(' /%é'), '%20%2F%25%C3%A9');
  assert.equal(strictEncode('😀'), '%F0%9F%98%80');
});

describe('parseAuthorization', () => {
  const sig = 'a'.repeat(64);

  test('reads Access, SignedHeaders and Signature', () => {
    assert.deepEqual(
      parseAuthorization(`SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=host;x-sdk-date, Signature=${sig}`),
      { access: AK, signedHeaders: ['host', 'x-sdk-date'], signature: sig },
    );
    // Spacing around the commas does not matter.
    assert.deepEqual(
      parseAuthorization(`SDK-HMAC-SHA256 Access=${AK},SignedHeaders=host,Signature=${sig}`)?.signedHeaders,
      ['host'],
    );
  });

  const malformed: [string, string][] = [
    ['empty', ''],
    ['the algorithm alone', 'SDK-HMAC-SHA256'],
    ['another algorithm', `AWS4-HMAC-SHA256 Access=${AK}, SignedHeaders=host, Signature=${sig}`],
    ['a lower-case algorithm', `sdk-hmac-sha256 Access=${AK}, SignedHeaders=host, Signature=${sig}`],
    ['basic auth', 'Basic YWRtaW46cGFzc3dvcmQ='],
    ['no Access', `SDK-HMAC-SHA256 SignedHeaders=host, Signature=${sig}`],
    ['empty Access', `SDK-HMAC-SHA256 Access=, SignedHeaders=host, Signature=${sig}`],
    ['no SignedHeaders', `SDK-HMAC-SHA256 Access=${AK}, Signature=${sig}`],
    ['no Signature', `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=host`],
    ['a short signature', `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=host, Signature=${'a'.repeat(63)}`],
    ['a long signature', `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=host, Signature=${'a'.repeat(65)}`],
    ['a non-hex signature', `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=host, Signature=${'g'.repeat(64)}`],
    [
      'an upper-case signature',
      `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=host, Signature=${'A'.repeat(64)}`,
    ],
    ['a field without "="', `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=host, Signature=${sig}, junk`],
    [
      'an empty signed header',
      `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=host;;x-sdk-date, Signature=${sig}`,
    ],
    [
      'an upper-case signed header',
      `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=Host;x-sdk-date, Signature=${sig}`,
    ],
  ];
  for (const [name, value] of malformed) {
    test(`malformed: ${name}`, () => {
      assert.equal(parseAuthorization(value), undefined);
    });
  }
});

describe('parseSdkDate', () => {
  test('reads YYYYMMDDTHHmmssZ as UTC and round-trips with formatSdkDate', () => {
    assert.equal(parseSdkDate(DATE)?.toISOString(), '2026-11-27T22:37:00.000Z');
    assert.equal(parseSdkDate('20240229T235959Z')?.toISOString(), '2024-02-29T23:59:59.000Z');
    assert.equal(formatSdkDate(new Date('2026-11-27T22:37:00.789Z')), DATE);
  });

  for (const bad of [
    '',
    '20261127T223700',
    '20261127T223700z',
    '20261127 223700Z',
    '2026-11-27T22:37:00Z',
    '20261127T223700.000Z',
    '20261127T2237Z',
    ' 20261127T223700Z',
    '20261127T223700Z ',
    'Fri, 27 Nov 2026 22:37:00 GMT',
    '20261327T223700Z',
    '20261100T223700Z',
    '20250229T120000Z',
    '20260230T120000Z',
    '20261127T243700Z',
    '20261127T226000Z',
    '20261127T223760Z',
  ]) {
    test(`malformed: ${JSON.stringify(bad)}`, () => {
      assert.equal(parseSdkDate(bad), undefined);
    });
  }
});
