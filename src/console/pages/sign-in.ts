import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config.ts';
import type { Caller } from '../../service/context.ts';
import type { ApiClient } from '../api.ts';
import { cookie, cookiesOf, formOf, sameOrigin } from '../http.ts';
import { html, type Html } from '../../http/html.ts';
import { BASE, csrfField, layout, link, notice } from '../layout.ts';
import type { Outcome, PageDef, PublicPageDef } from '../page.ts';
import {
  SESSION_COOKIE,
  SIGN_IN_COOKIE,
  SIGN_IN_TTL_MS,
  type OpenSession,
  type Sessions,
} from '../session.ts';

/**
 * Sign-in and sign-out (spec/console.md, "Sign-in"). The credentials go to the API's own password
 * login (`POST /v3/auth/tokens`) with the browser's address, so the same check and the same limit
 * on failed logins apply; the token it gives is kept in the session, never in the browser.
 */

export interface SignIn {
  sessions: Sessions;
  signedIn(request: FastifyRequest): Promise<{ session: OpenSession; caller: Caller } | undefined>;
  apiFor(request: FastifyRequest, token: string | undefined, projectId: string): ApiClient;
  config: Readonly<Config>;
}

const SIGN_IN_PATH = link('sign-in');

/** Where to go after signing in: the console page `next` names, else the endpoints. */
function nextPage(next: string | undefined): string {
  if (next && next.startsWith(`${BASE}/`) && !/\/\/|\\/.test(next)) return next;
  return link('endpoints');
}

interface FormValues {
  account?: string;
  user?: string;
  project?: string;
  next?: string;
}

/** What the token body of a login holds that a session needs. */
interface LoginToken {
  expires_at: string;
  user: { id: string; domain: { id: string } };
  project: { id: string };
}

export const signedOutCookie = (request: FastifyRequest) =>
  cookie(request, SESSION_COOKIE, '', { path: BASE, maxAgeMs: 0 });

export function signInPages(s: SignIn): PublicPageDef[] {
  /** The form, with a fresh CSRF secret in a cookie of its own: there is no session yet to hold one. */
  function form(
    request: FastifyRequest,
    o: { values?: FormValues; message?: Html; status?: number },
  ): Outcome {
    const secret = s.sessions.newSecret();
    const v = o.values ?? {};
    const body = html`<h1>Sign in</h1>
${o.message}
<form class="stack" method="post" action="${SIGN_IN_PATH}">
${csrfField(s.sessions.csrfOf(secret))}
<input type="hidden" name="next" value="${v.next}">
<label for="account">Account name</label>
<input type="text" id="account" name="account" required autocomplete="organization" autocapitalize="none" spellcheck="false" value="${v.account}">
<label for="user">User name</label>
<input type="text" id="user" name="user" required autocomplete="username" autocapitalize="none" spellcheck="false" value="${v.user}">
<label for="password">Password</label>
<input type="password" id="password" name="password" required autocomplete="current-password">
<label for="project">Project <span class="muted">(optional)</span></label>
<p class="hint" id="project-hint">The project to work in; leave it empty for the region's, ${s.config.region}.</p>
<input type="text" id="project" name="project" aria-describedby="project-hint" autocapitalize="none" spellcheck="false" value="${v.project}">
<div class="actions"><button type="submit">Sign in</button></div>
</form>`;
    return {
      page: layout({ title: 'Sign in', section: 'sign-in', body }),
      status: o.status ?? 200,
      cookies: [
        cookie(request, SIGN_IN_COOKIE, s.sessions.signed('console-sign-in', secret), {
          path: SIGN_IN_PATH,
          maxAgeMs: SIGN_IN_TTL_MS,
        }),
      ],
    };
  }

  return [
    {
      method: 'GET',
      url: '/sign-in',
      async handler(request) {
        const query = request.query as Record<string, unknown>;
        const next = typeof query.next === 'string' ? query.next : undefined;
        if (await s.signedIn(request)) return { redirect: nextPage(next) };
        const message =
          query.signed_out !== undefined ? notice('ok', html`<p>You have signed out.</p>`) : undefined;
        return form(request, { values: { next }, message });
      },
    },
    {
      method: 'POST',
      url: '/sign-in',
      async handler(request) {
        const f = formOf(request);
        const values: FormValues = {
          account: f.get('account') ?? '',
          user: f.get('user') ?? '',
          project: f.get('project') ?? '',
          next: f.get('next') ?? '',
        };
        const secret = s.sessions.secretOf('console-sign-in', cookiesOf(request).get(SIGN_IN_COOKIE));
        if (
          !sameOrigin(request) ||
          secret === undefined ||
          !s.sessions.csrfMatches(s.sessions.csrfOf(secret), f.get('_csrf') ?? undefined)
        ) {
          const why = html`<p>The sign-in form expired or did not come from this console. Please try again.</p>`;
          return form(request, { values, status: 403, message: notice('error', why) });
        }
        const answer = await s.apiFor(request, undefined, '').answer('POST', '/v3/auth/tokens', {
          auth: {
            identity: {
              methods: ['password'],
              password: {
                user: {
                  name: values.user,
                  password: f.get('password') ?? '',
                  domain: { name: values.account },
                },
              },
            },
            scope: { project: { name: values.project || s.config.region } },
          },
        });
        const token = answer.headers['x-subject-token'];
        if (answer.status !== 201 || typeof token !== 'string') {
          const why =
            answer.status === 429
              ? html`<p>Too many failed sign-ins. Wait a minute, then try again.</p>`
              : answer.status === 401
                ? html`<p>The account name, user name, password or project is not right.</p>`
                : html`<p>The sign-in failed (HTTP ${answer.status}).</p>`;
          const status = answer.status === 429 ? 429 : 401;
          return form(request, { values, status, message: notice('error', why) });
        }
        const t = (JSON.parse(answer.raw) as { token: LoginToken }).token;
        const made = await s.sessions.create(token, {
          user_id: t.user.id,
          domain_id: t.user.domain.id,
          project_id: t.project.id,
          token_expires_at: new Date(t.expires_at),
        });
        return {
          redirect: nextPage(values.next),
          cookies: [
            cookie(request, SESSION_COOKIE, made.cookie, { path: BASE, maxAgeMs: made.maxAgeMs }),
            cookie(request, SIGN_IN_COOKIE, '', { path: SIGN_IN_PATH, maxAgeMs: 0 }),
          ],
        };
      },
    },
  ];
}

/** Sign-out: the session's row goes, and with it the only copy of its token. */
export function signOutPage(sessions: Sessions): PageDef {
  return {
    method: 'POST',
    url: '/sign-out',
    async handler(ctx) {
      await sessions.end(ctx.session.idHash);
      return { redirect: `${SIGN_IN_PATH}?signed_out=1`, cookies: [signedOutCookie(ctx.request)] };
    },
  };
}
