import type { FastifyRequest } from 'fastify';
import type { Caller } from '../service/context.ts';
import type { ApiClient } from './api.ts';
import type { Html } from '../http/html.ts';
import { layout, type Section, type Viewer } from './layout.ts';
import type { OpenSession } from './session.ts';

/** What a console page is given, and what it answers (spec/console.md, "Pages"). */

export interface PageCtx {
  request: FastifyRequest;
  params: Record<string, string>;
  /** The query, one value per name (the first when repeated). */
  query: Record<string, string>;
  /** A POST's form fields; empty for a GET. */
  form: URLSearchParams;
  caller: Caller;
  session: OpenSession;
  /** The API, called as the signed-in user. */
  api: ApiClient;
  viewer: Viewer;
  /** Whether the user's roles allow the API operation (its IAM action, as the API decides it). */
  can(operationId: string): boolean;
}

export type Outcome = (
  { page: Html; status?: number } | { redirect: string } | { json: unknown; status?: number }
) & {
  /** Set-Cookie values to send with it. */
  cookies?: string[];
};

/** A page anyone may open: signing in. */
export interface PublicPageDef {
  method: 'GET' | 'POST';
  url: string;
  handler(request: FastifyRequest): Promise<Outcome>;
}

/** A page of the signed-in user. */
export interface PageDef {
  method: 'GET' | 'POST';
  url: string;
  /** Answers JSON (a status the page's script polls): signed out, it answers 401, not a redirect. */
  json?: boolean;
  handler(ctx: PageCtx): Promise<Outcome>;
}

/** A whole page for the signed-in user. */
export const view = (ctx: PageCtx, title: string, section: Section, body: Html, status = 200): Outcome => ({
  page: layout({ title, section, viewer: ctx.viewer, body }),
  status,
});
