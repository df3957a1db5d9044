import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type {
  Method,
  OpenApiDocument,
  Operation,
  Response,
  Schema,
} from '../../src/http/openapi/document.ts';

/**
 * Requests and answers held to the OpenAPI document the server serves: the operation of a method
 * and path, the request's path, query and body against its parameters and request body, and an
 * answer's status, media type and body against its responses (the status, else its class `4XX`,
 * else `default`). Schemas are checked with Ajv's JSON Schema 2020-12, the dialect of OpenAPI 3.1;
 * query values are text on the wire, so they are converted as the server converts them.
 */

export interface Found {
  path: string;
  method: Method;
  operation: Operation;
  /** The path parameters, decoded. */
  params: Record<string, string>;
}

const DOC = 'openapi.json';

/** `#/components/…` refs of a schema taken out of the document, made to point into it. */
function anchored(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(anchored);
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [
      k,
      k === '$ref' && typeof v === 'string' && v.startsWith('#') ? `${DOC}${v}` : anchored(v),
    ]),
  );
}

const messages = (v: ValidateFunction) =>
  (v.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? e.keyword}`).join('; ');

export class OpenApiContract {
  readonly #ajv: Ajv2020;
  readonly #queryAjv: Ajv2020;
  readonly #compiled = new Map<Schema, ValidateFunction>();
  readonly #compiledQuery = new Map<Schema, ValidateFunction>();
  readonly #routes: { pattern: RegExp; names: string[]; literal: number; path: string }[];

  constructor(readonly doc: OpenApiDocument) {
    const make = (coerceTypes: boolean) => {
      const ajv = new Ajv2020({ strict: false, allErrors: true, coerceTypes });
      ajv.addSchema(doc as object, DOC, undefined, false);
      return ajv;
    };
    this.#ajv = make(false);
    this.#queryAjv = make(true);
    this.#routes = Object.keys(doc.paths).map((path) => {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const source = path
        .split(/\{\w+\}/)
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('([^/]+)');
      return {
        pattern: new RegExp(`^${source}$`),
        names,
        literal: path.replace(/\{\w+\}/g, '').length,
        path,
      };
    });
    // Concrete paths before templated ones (OpenAPI 3.1, "Paths Object").
    this.#routes.sort((a, b) => b.literal - a.literal);
  }

  /** The operation a request names; throws when the document has none. */
  find(method: string, url: string): Found {
    const pathname = new URL(url, 'http://x').pathname;
    const m = method.toLowerCase() as Method;
    for (const route of this.#routes) {
      const match = route.pattern.exec(pathname);
      const operation = match && this.doc.paths[route.path]![m];
      if (!match || !operation) continue;
      const params = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(match[i + 1]!)]));
      return { path: route.path, method: m, operation, params };
    }
    throw new Error(`${method} ${pathname}: no operation of the document`);
  }

  #validator(schema: Schema): ValidateFunction {
    let v = this.#compiled.get(schema);
    if (!v) this.#compiled.set(schema, (v = this.#ajv.compile(anchored(schema) as object)));
    return v;
  }

  /** A query parameter's validator: its value in an object, where Ajv converts it in place. */
  #queryValidator(schema: Schema): ValidateFunction {
    let v = this.#compiledQuery.get(schema);
    if (!v) {
      const wrapped = { type: 'object', properties: { value: anchored(schema) } };
      this.#compiledQuery.set(schema, (v = this.#queryAjv.compile(wrapped)));
    }
    return v;
  }

  /**
   * What is wrong with a request by the document: its path and query parameters and its body
   * (JSON text, or undefined when it sends none); an empty list when nothing is.
   */
  requestProblems(method: string, url: string, body?: string): string[] {
    const { operation, params } = this.find(method, url);
    const problems: string[] = [];
    const parameters = operation.parameters ?? [];
    for (const p of parameters.filter((x) => x.in === 'path')) {
      const v = this.#validator(p.schema);
      if (!v(params[p.name])) problems.push(`path ${p.name}: ${messages(v)}`);
    }
    const query = new URL(url, 'http://x').searchParams;
    const declared = new Map(parameters.filter((x) => x.in === 'query').map((x) => [x.name, x]));
    for (const name of new Set(query.keys())) {
      const p = declared.get(name);
      if (!p) {
        problems.push(`query ${name}: not a parameter of ${operation.operationId}`);
        continue;
      }
      const v = this.#queryValidator(p.schema);
      if (!v({ value: query.get(name) })) problems.push(`query ${name}: ${messages(v)}`);
    }
    for (const [name, p] of declared) {
      if (p.required && !query.has(name)) problems.push(`query ${name}: required`);
    }
    const content = operation.requestBody?.content['application/json'];
    if (body === undefined || body === '') {
      if (operation.requestBody?.required) problems.push('body: required');
    } else if (!content) {
      problems.push(`body: ${operation.operationId} takes none`);
    } else {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return [...problems, 'body: not JSON'];
      }
      const v = this.#validator(content.schema);
      if (!v(parsed)) problems.push(`body: ${messages(v)}`);
    }
    return problems;
  }

  /** The response the document gives an operation for `status`: its own, its class's, or the default. */
  response(operation: Operation, status: number): Response | undefined {
    const r =
      operation.responses[String(status)] ??
      operation.responses[`${String(status)[0]}XX`] ??
      operation.responses.default;
    if (r === undefined) return undefined;
    return '$ref' in r ? this.doc.components.responses[r.$ref.split('/').at(-1)!] : r;
  }

  /**
   * What is wrong with an answer by the document: a status it does not give, a media type it does
   * not name, or a body its schema refuses (raw: the body's text; contentType: the header).
   */
  responseProblems(
    method: string,
    url: string,
    answer: { status: number; contentType: string | null; raw: string },
  ): string[] {
    const { operation } = this.find(method, url);
    const where = `${operation.operationId} ${answer.status}`;
    const response = this.response(operation, answer.status);
    if (!response) return [`${where}: a status the document does not give`];
    const media = Object.entries(response.content ?? {});
    if (media.length === 0) return answer.raw === '' ? [] : [`${where}: a body where the document has none`];
    const type = (answer.contentType ?? '').split(';')[0]!.trim().toLowerCase();
    const declared = media.find(([t]) => t.split(';')[0]!.trim().toLowerCase() === type);
    if (!declared) return [`${where}: ${type || 'no media type'}, not ${media.map(([t]) => t).join(' or ')}`];
    if (!type.endsWith('json')) {
      const v = this.#validator(declared[1].schema);
      return v(answer.raw) ? [] : [`${where}: ${messages(v)}`];
    }
    let body: unknown;
    try {
      body = JSON.parse(answer.raw);
    } catch {
      return [`${where}: not JSON: ${answer.raw.slice(0, 200)}`];
    }
    const v = this.#validator(declared[1].schema);
    return v(body) ? [] : [`${where}: ${messages(v)}: ${answer.raw.slice(0, 500)}`];
  }
}
