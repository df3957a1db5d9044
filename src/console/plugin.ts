import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../domain/errors.ts';
import { allows } from '../domain/roles.ts';
import { actionOf } from '../http/authorize.ts';
import type { RouteDef } from '../http/route.ts';
import type { Caller, Deps } from '../service/context.ts';
import type { Identity } from '../service/identity.ts';
import { ApiClient, ApiFailure } from './api.ts';
import { CSS, JS } from './assets.ts';
import { cookiesOf, formOf, queryOf, sameOrigin } from './http.ts';
import { html, toText, type Html } from '../http/html.ts';
import { BASE, failure, layout, link, type Viewer } from './layout.ts';
import type { Outcome, PageCtx, PageDef } from './page.ts';
import { endpointPages } from './pages/endpoints.ts';
import { servicePages } from './pages/services.ts';
import { signedOutCookie, signInPages, signOutPage } from './pages/sign-in.ts';
import { vpcPages } from './pages/vpcs.ts';
import { auditPages } from './pages/audit.ts';
import { SESSION_COOKIE, Sessions, type OpenSession } from './session.ts';

/**
 * The web console (spec/console.md): server-rendered pages at /console, from the API's own process
 * and port. An encapsulated plugin: its error and not-found handlers answer HTML under /console
 * only, and its routes are marked as pages, which the API's request checks leave alone
 * (http/pipeline.ts). Every page reaches the API through api.ts, as the signed-in user.
 */

export interface ConsoleOptions {
  deps: Deps;
  identity: Identity;
  /** The API's routes, whose IAM actions decide which controls a user is shown. */
  routes: RouteDef[];
}

/** No script, style, frame or form target but the console's own (assets.ts). */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

function send(reply: FastifyReply, outcome: Outcome): FastifyReply {
  if (outcome.cookies) reply.header('set-cookie', outcome.cookies);
  if ('redirect' in outcome) return reply.redirect(outcome.redirect, 303);
  if ('json' in outcome) return reply.code(outcome.status ?? 200).send(outcome.json);
  return reply
    .code(outcome.status ?? 200)
    .type('text/html; charset=utf-8')
    .send(toText(outcome.page));
}

/** A page that says what went wrong, in the console's shell. */
function errorPage(status: number, title: string, body: Html, viewer?: Viewer): Outcome {
  return {
    page: layout({
      title,
      section: 'none',
      viewer,
      body: html`<h1>${title}</h1>
${body}`,
    }),
    status,
  };
}

const viewerOf = (caller: Caller, session: OpenSession): Viewer => ({
  user: caller.user_name,
  domain: caller.domain_name,
  project: caller.project_name,
  csrf: session.csrf,
});

export async function registerConsole(app: FastifyInstance, opts: ConsoleOptions): Promise<void> {
  const { deps, identity } = opts;
  const sessions = new Sessions(deps, identity);
  const actions = new Map<string, string>();
  for (const def of opts.routes) {
    const action = actionOf(def);
    if (action !== undefined) actions.set(def.operationId, action);
  }
  const apiFor = (request: FastifyRequest, token: string | undefined, projectId: string) =>
    new ApiClient(app, token, request.ip, projectId);

  /** The signed-in user of a request: its session, and whom its token names now. */
  async function signedIn(request: FastifyRequest) {
    const session = await sessions.open(cookiesOf(request).get(SESSION_COOKIE));
    if (!session) return undefined;
    try {
      // The API's own check of the token: a deleted user, a changed password or an expired token
      // ends the session, as the API would refuse the user's next call. Any other failure (the
      // database away) is the request's, not the session's.
      return { session, caller: await identity.verify(session.token, request.id) };
    } catch (e) {
      if (!(e instanceof ApiError) || e.code !== 'APIGW.0301') throw e;
      await sessions.end(session.idHash);
      return undefined;
    }
  }

  /** One page of the signed-in user: session, then (for a POST) origin and CSRF token, then the page. */
  async function run(def: PageDef, request: FastifyRequest): Promise<Outcome> {
    const who = await signedIn(request);
    if (!who) {
      if (def.json) return { json: { status: 'signed-out' }, status: 401 };
      const next = def.method === 'GET' ? `?next=${encodeURIComponent(request.url)}` : '';
      return { redirect: `${link('sign-in')}${next}`, cookies: [signedOutCookie(request)] };
    }
    const viewer = viewerOf(who.caller, who.session);
    const form = formOf(request);
    if (def.method === 'POST') {
      if (!sameOrigin(request) || !sessions.csrfMatches(who.session.csrf, form.get('_csrf') ?? undefined)) {
        const why = html`<p>This form did not come from your console session. Go back, reload the page and try again.</p>`;
        return errorPage(403, 'Form refused', why, viewer);
      }
    }
    const ctx: PageCtx = {
      request,
      params: request.params as Record<string, string>,
      query: queryOf(request),
      form,
      caller: who.caller,
      session: who.session,
      api: apiFor(request, who.session.token, who.caller.project_id),
      viewer,
      can: (operationId) => {
        const action = actions.get(operationId);
        return action !== undefined && allows(who.caller.roles, action);
      },
    };
    try {
      return await def.handler(ctx);
    } catch (e) {
      if (!(e instanceof ApiFailure)) throw e;
      if (e.status === 401) {
        await sessions.end(who.session.idHash);
        return { redirect: link('sign-in'), cookies: [signedOutCookie(request)] };
      }
      if (def.json) return { json: { code: e.code, message: e.message }, status: e.status };
      const title = e.status === 404 ? 'Not found' : e.status === 403 ? 'Not allowed' : 'The API refused';
      return errorPage(e.status, title, failure(e.code, e.message), viewer);
    }
  }

  await app.register(
    async (c) => {
      c.addHook('onSend', async (_request, reply) => {
        reply.headers(SECURITY_HEADERS);
      });

      // Every other path under /console, any method: a page too, so the API's checks stay out.
      c.all('/*', { config: { page: true } }, async (request, reply) => {
        const who = await signedIn(request);
        const body = html`<p>There is no console page at this address. <a href="${link('endpoints')}">Go to the endpoints</a>.</p>`;
        return send(reply, errorPage(404, 'Page not found', body, who && viewerOf(who.caller, who.session)));
      });

      c.setErrorHandler(async (err, request, reply) => {
        if (err instanceof ApiError) {
          return send(reply, errorPage(err.status, 'Not available', failure(err.code, err.message)));
        }
        request.log.error({ err }, 'console page failed');
        const body = html`<p>The page failed; the server's log has the details (request ${request.id}).</p>`;
        return send(reply, errorPage(500, 'Something went wrong', body));
      });

      const page = { config: { page: true } };
      c.get('/assets/console.css', page, async (_r, reply) =>
        reply.type('text/css; charset=utf-8').send(CSS),
      );
      c.get('/assets/console.js', page, async (_r, reply) =>
        reply.type('text/javascript; charset=utf-8').send(JS),
      );
      c.get('/', page, async (_r, reply) => reply.redirect(link('endpoints'), 303));

      const signIn = { sessions, signedIn, apiFor, config: deps.config };
      for (const def of signInPages(signIn)) {
        c.route({
          ...def,
          ...page,
          handler: async (request, reply) => send(reply, await def.handler(request)),
        });
      }
      const pages = [
        signOutPage(sessions),
        ...endpointPages(),
        ...servicePages(),
        ...vpcPages(),
        ...auditPages(),
      ];
      for (const def of pages) {
        c.route({
          method: def.method,
          url: def.url,
          ...page,
          handler: async (request, reply) => send(reply, await run(def, request)),
        });
      }
    },
    { prefix: BASE },
  );
}
