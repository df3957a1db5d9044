import { Type } from 'typebox';
import { openApiDocument } from '../openapi/document.ts';
import { referencePage } from '../openapi/reference-page.ts';
import { route, type RouteDef } from '../route.ts';

/** The OpenAPI document as served: its version and parts; the rest is the OpenAPI specification's. */
const OpenApi = Type.Object(
  {
    openapi: Type.String({ pattern: '^3\\.1\\.' }),
    info: Type.Object({ title: Type.String(), version: Type.String() }),
    paths: Type.Record(Type.String(), Type.Object({})),
    components: Type.Object({}),
  },
  { additionalProperties: true },
);

/**
 * The API's reference, without authentication: the OpenAPI 3.1 document of `routes()` (every route
 * the app serves, these two included) and a page that renders it. Both are made on their first
 * request and kept: the routes do not change while the process runs.
 */
export function referenceRoutes(routes: () => readonly RouteDef[]) {
  let document: ReturnType<typeof openApiDocument> | undefined;
  let json: string | undefined;
  let page: string | undefined;
  const built = () => (document ??= openApiDocument(routes()));
  return [
    route({
      method: 'GET',
      url: '/openapi.json',
      api: 'meta',
      operationId: 'ShowOpenApiDocument',
      auth: false,
      schema: { response: { 200: OpenApi } },
      // Sent as the text it was serialized to once (Fastify sends a string as it is).
      handler: async () => (json ??= JSON.stringify(built())),
    }),
    route({
      method: 'GET',
      url: '/docs',
      api: 'meta',
      operationId: 'ShowApiReference',
      auth: false,
      produces: 'text/html; charset=utf-8',
      schema: { response: { 200: Type.String() } },
      handler: async ({ reply }) => {
        // The page has no script and loads nothing: a browser is told to run and fetch nothing else.
        reply.header(
          'Content-Security-Policy',
          "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        );
        reply.header('X-Content-Type-Options', 'nosniff');
        return (page ??= referencePage(built()));
      },
    }),
  ];
}
