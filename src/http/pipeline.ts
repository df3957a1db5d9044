import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../domain/errors.ts';
import type { Caller } from '../service/context.ts';
import type { Accounts } from '../service/accounts.ts';
import type { Identity } from '../service/identity.ts';
import type { Draining } from './draining.ts';
import { authorize } from './authorize.ts';
import { emptyBody, invalidParameter } from './error-handler.ts';
import { parseJsonBody, unacceptableParameter } from './json-body.ts';
import { brokenFraming } from './protocol-edge.ts';

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
    /** The body exactly as received; AK/SK signatures cover these bytes (signing.md). */
    rawBody?: Buffer;
    /** The AK a signed request names, for its log line (never the SK or the signature). */
    accessKey?: string;
    /** The error code it was answered with, and the reason only the log learns. */
    outcome?: { code: string; reason?: string };
  }
  interface FastifyContextConfig {
    api?: import('./route.ts').Api;
    auth?: import('./route.ts').Auth;
    /** The operation's name in the published API, for logs. */
    operationId?: string;
    /** The IAM action a project-scoped route performs (http/authorize.ts). */
    action?: string;
    /** The route's success status. */
    status?: number;
    /** The media type of the success answer when it is not JSON (http/route.ts). */
    produces?: string;
    /**
     * A page of the web console (src/console), not an API route: it takes forms and answers HTML,
     * and reaches the API only through the API's own routes, so the checks below are not its.
     */
    page?: boolean;
  }
}

/** The raw body of a request without one (never written to: it has no bytes). */
const NO_BODY = Buffer.alloc(0);

/**
 * Whether `accept` admits `mediaType` (JSON, or the route's own, http/route.ts `produces`): it
 * does not when no listed range matches it (RFC 9110 §12.5.1).
 */
function accepts(accept: string | undefined, mediaType: string): boolean {
  if (!accept) return true;
  const type = mediaType.split(';')[0]!.trim().toLowerCase();
  const ranges = ['*/*', `${type.split('/')[0]}/*`, type];
  return accept.split(',').some((part) => {
    const [range = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q !== undefined && Number(q.slice(2)) === 0) return false;
    return ranges.includes(range.trim());
  });
}

function isJsonMediaType(contentType: string): boolean {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json';
}

/**
 * The project a call acts in: the path's `project_id`, except on IAM routes, where a project in the
 * path is what the call is about (a grant's project), not where it runs.
 */
function scopeOf(request: FastifyRequest): string | undefined {
  if (request.routeOptions.config.api === 'iam') return undefined;
  return (request.params as { project_id?: string }).project_id;
}

/** The caller, from a token or an AK/SK signature over the raw body: one identity either way. */
async function authenticate(request: FastifyRequest, identity: Identity, rawBody: Buffer): Promise<Caller> {
  const pathProject = scopeOf(request);
  const token = request.headers['x-auth-token'];
  if (typeof token === 'string' && token.length > 0) {
    if (token.length > 2048) throw new ApiError('APIGW.0301', 'decrypt token fail');
    return await identity.verify(token, request.id);
  }
  if (request.headers.authorization !== undefined) {
    request.accessKey = /Access=([^,\s]*)/.exec(request.headers.authorization)?.[1];
    return identity.verifySignature(
      { method: request.method, url: request.url, headers: request.headers, body: rawBody },
      pathProject,
      request.id,
    );
  }
  throw new ApiError('APIGW.0301', 'x-auth-token not found');
}

/**
 * The order every request passes (routetables.md, "Order of checks"): route (404/405) →
 * authentication → project → media type and JSON → schemas (path, then body) → handler.
 */
export function installPipeline(
  app: FastifyInstance,
  identity: Identity,
  accounts: Accounts,
  bodyTimeoutMs: number,
  draining: Draining,
): void {
  // The hooks that need no await are synchronous (`done`): Fastify runs an async hook through a
  // promise of its own, on every request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Request-Id', request.id);
    const config = request.routeOptions.config;
    if (config.page) return done();
    const produces = config.produces;
    if (!accepts(request.headers.accept, produces ?? 'application/json')) {
      const refused = new ApiError('VPCEP.0406', produces && `This resource answers ${produces}.`);
      // Answered once Node's parser has read what came with the headers, as from an async hook: a
      // broken body framing in it makes this answer close the connection (protocol-edge.ts).
      queueMicrotask(() => done(refused));
      return;
    }
    done();
  });

  // A body that does not arrive in time is answered 408 EndPoint.0013 (errors.md), not left to
  // hold the connection: the stream fails, and the parser hands that error to the error handler.
  app.addHook('preParsing', (request, reply, payload, done) => {
    // No body by its framing (most reads): nothing to wait for, nor a framing to be broken. (A body
    // that came with the headers is not read yet when this runs, not even a microtask later.)
    const { 'content-length': length, 'transfer-encoding': chunked } = request.headers;
    if (chunked === undefined && (length === undefined || length === '0')) return done(null, payload);
    // The body is read through a pass-through, so the timeout can fail the read without destroying
    // the socket the 408 answer has to go out on.
    const body = new PassThrough();
    payload.on('error', (err) => body.destroy(err));
    payload.pipe(body);
    // Node's parser may have given up on this body before anyone listened (protocol-edge.ts).
    const broken = brokenFraming(request.raw);
    if (broken) body.destroy(broken);
    const timer = setTimeout(() => {
      payload.unpipe(body);
      body.destroy(
        new ApiError('EndPoint.0013', 'The request body did not arrive in time.', {
          status: 408,
          headers: { Connection: 'close' },
        }),
      );
    }, bodyTimeoutMs);
    const stop = () => clearTimeout(timer);
    body.once('end', stop);
    body.once('close', stop);
    // Answered without reading the rest (413): the timer has nothing left to guard.
    reply.raw.once('close', stop);
    // Once the parser stops listening, a late failure of the stream has nobody to tell.
    body.on('error', () => undefined);
    done(null, body);
  });

  // Bodies arrive as raw bytes whatever their type: authentication must see them before parsing,
  // and a wrong media type is a 400 decided after authentication, not Fastify's 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.addHook('preValidation', async (request) => {
    draining.refuseLate(request);
    const config = request.routeOptions.config;
    if (config.page) return;
    const raw = Buffer.isBuffer(request.body) ? request.body : undefined;
    request.rawBody = raw ?? NO_BODY;
    request.body = undefined;

    // Before anything reads them, authentication included (the AK/SK check looks the path's
    // project up): text the stores cannot hold alike never reaches either (domain/text.ts).
    const badParameter = unacceptableParameter(request.params, request.query);
    if (badParameter) throw invalidParameter(request, badParameter);

    if (config.auth === 'operator') {
      await accounts.authenticate(request.headers.authorization);
    } else if (config.auth) {
      const caller = await authenticate(request, identity, request.rawBody);
      const projectId = scopeOf(request);
      if (projectId !== undefined && projectId !== caller.project_id) {
        throw new ApiError(
          'APIGW.0302',
          `The token is scoped to another project than ${projectId.slice(0, 64)}.`,
        );
      }
      // Known before the role check, so a refused attempt is in the audit trail (http/audit.ts).
      request.caller = {
        ...caller,
        ...(request.accessKey !== undefined ? { access_key: request.accessKey } : {}),
        call: { operation: config.operationId ?? '', status: config.status ?? 200 },
      };
      if (config.action !== undefined) authorize(caller, config.action, config.api ?? 'endpoint');
    }

    const text = raw?.toString('utf8');
    if (text === undefined || text.trim() === '') return;
    // Path parameters come before the body (routetables.md, steps 3 and 4): a bad parameter is
    // reported even when the body is not JSON. Fastify checks them again later, at no harm.
    const checkParams = request.getValidationFunction('params');
    if (checkParams && !checkParams(request.params)) {
      throw Object.assign(new Error('invalid path parameter'), {
        validation: checkParams.errors,
        validationContext: 'params',
      });
    }
    const contentType = request.headers['content-type'];
    if (contentType !== undefined && !isJsonMediaType(contentType)) {
      throw invalidParameter(
        request,
        `Content-Type must be application/json, got "${contentType.slice(0, 64)}".`,
      );
    }
    const parsed = parseJsonBody(text);
    if (!parsed.ok) throw invalidParameter(request, parsed.detail);
    if (parsed.value === null) throw emptyBody(request);
    request.body = parsed.value;
  });
}
