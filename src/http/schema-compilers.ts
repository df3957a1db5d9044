import { Ajv, type ErrorObject, type Options as AjvOptions } from 'ajv';
import type { FastifyInstance } from 'fastify';
import fastJson from 'fast-json-stringify';
import type { TArray, TObject } from 'typebox';

// Explicit Ajv options (design.md): bodies and paths are never coerced, so `"80"` is not 80 and a
// wrong type reaches the client as the API's error code. Query strings are text on the wire, so
// only they convert ("10" → 10) — and a value that does not convert still fails.
const AJV_BASE: AjvOptions = {
  allErrors: false,
  // Only where a schema says `additionalProperties: false`, which route.ts requestSchemas() says
  // for every request object: unknown fields are dropped, never stored.
  removeAdditional: true,
  useDefaults: true,
  verbose: true,
  strict: false,
};
// Made on the first compile, like the schemas themselves: building an Ajv is start-up time too.
let strictAjv: Ajv | undefined;
let queryAjv: Ajv | undefined;

type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** The validator of one part of a request, compiled by the Ajv its part calls for. */
export function compileValidator(schema: object, httpPart: string | undefined): Validator {
  if (httpPart === 'querystring')
    return (queryAjv ??= new Ajv({ ...AJV_BASE, coerceTypes: true })).compile(schema);
  return (strictAjv ??= new Ajv({ ...AJV_BASE, coerceTypes: false })).compile(schema);
}

/** The serializer of one response body. */
export function compileSerializer(schema: object): (data: unknown) => string {
  return fastJson(schema);
}

/**
 * The serializer of an answer whose `key` holds an array of objects that the service hands out
 * again unchanged (RouteDef.keptItems): an item's JSON is made once per object and kept with it,
 * as UTF-8 bytes (a WeakMap, so they go when the object goes); the rest of the answer is
 * serialized as usual. The answer is bytes, what the whole schema's serializer makes, the array's
 * property first: joining bytes spares the scans a long text costs on its way out (its length in
 * bytes for Content-Length, then its encoding), a sixth of a 100-item list's time (issue 12).
 */
export function keptItemsSerializer(schema: TObject, key: string): (data: unknown) => Buffer {
  const items = (schema.properties[key] as TArray | undefined)?.items;
  if (!items) throw new Error(`keptItems: the answer has no array \`${key}\``);
  const { [key]: _items, ...others } = schema.properties;
  const rest = { ...schema, properties: others, required: schema.required?.filter((k) => k !== key) };
  const item = lazy(() => compileSerializer(items));
  const envelope = lazy(() => compileSerializer(rest));
  const kept = new WeakMap<object, Buffer>();
  const head = Buffer.from(`{${JSON.stringify(key)}:[`);
  const comma = Buffer.from(',');
  return (data) => {
    const list = (data as Record<string, object[]>)[key]!;
    const parts: Buffer[] = [head];
    for (let i = 0; i < list.length; i++) {
      const x = list[i]!;
      let json = kept.get(x);
      if (json === undefined) kept.set(x, (json = ownBytes(item(x))));
      if (i > 0) parts.push(comma);
      parts.push(json);
    }
    const tail = envelope(data);
    parts.push(Buffer.from(tail === '{}' ? ']}' : `],${tail.slice(1)}`));
    return Buffer.concat(parts);
  };
}

/**
 * A text's UTF-8 bytes in memory of their own: `Buffer.from` puts a short text in a slice of a
 * shared 8 kB pool, which a kept slice would hold whole.
 */
export function ownBytes(text: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  bytes.write(text);
  return bytes;
}

/** `compile()`'s result, compiled on first use. */
function lazy<F extends (data: unknown) => unknown>(compile: () => F): F {
  let compiled: F | undefined;
  return ((data: unknown) => (compiled ??= compile())(data)) as F;
}

/**
 * Every route's schemas compile on the route's first request instead of at start-up: compiling
 * them all up front was the largest part of starting (bench/startup.ts), and most routes are
 * never called in a process's life. test/unit/schemas.test.ts compiles them all, so a broken
 * schema still fails the suite rather than a first request.
 */
export function installSchemaCompilers(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) => {
    let compiled: Validator | undefined;
    // Fastify reads `errors` off the function it was given.
    const validate: Validator = (data) => {
      compiled ??= compileValidator(schema as object, httpPart);
      const ok = compiled(data);
      validate.errors = compiled.errors ?? null;
      return ok;
    };
    return validate;
  });
  app.setSerializerCompiler(({ schema }) => lazy(() => compileSerializer(schema as object)));
}
