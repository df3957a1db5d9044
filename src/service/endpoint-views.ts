import { statusSpan } from '../domain/endpoint-status.ts';
import type { Row } from '../store/queries.ts';

type ServiceRow = Row<'endpoint_services'>;

/** What a view was built from besides the endpoint's row and bindings: its service's fields it shows. */
const serviceFacts = (s: ServiceRow) => `${s.service_type}\u0000${s.approval_enabled}\u0000${s.service_name}`;

interface Entry<V> {
  version: number;
  service: string;
  from: number;
  until: number;
  view: V;
}

/** How many views are kept at most: 40 pages of 100, a few megabytes. */
export const VIEWS_KEPT = 4096;

/**
 * The endpoint views lists have built, each kept with what it was built from (issue 12): a list
 * reads only the ids and versions of its page, and builds again only the views of endpoints that
 * changed. A view is the same as long as
 * - the endpoint's version is: the database raises it at any change to the row or its bindings
 *   (migration 009), and never gives one twice, so one version is one content on every replica;
 * - its service's type, approval and name are (a service is read by the list anyway);
 * - the time is in the span in which its status does not change by itself (statusSpan).
 * A view kept here is handed out again as the same object, which nobody may change: the answer's
 * serializer keeps its JSON with it (http/routing.ts).
 *
 * The oldest views go first once VIEWS_KEPT are kept. Views of endpoints gone are never asked for
 * again and leave in their turn.
 */
export class EndpointViews<V extends object> {
  readonly #entries = new Map<string, Entry<V>>();

  constructor(private readonly capacity = VIEWS_KEPT) {}

  get size(): number {
    return this.#entries.size;
  }

  /** The view of endpoint `id` at `version`, built with `service`, that holds at `now`; else undefined. */
  get(id: string, version: number, service: ServiceRow, now: Date): V | undefined {
    const e = this.#entries.get(id);
    if (!e || e.version !== version || e.service !== serviceFacts(service)) return undefined;
    const t = now.getTime();
    return t >= e.from && t < e.until ? e.view : undefined;
  }

  /** Keeps `view`, built at `now` from `endpoint` (its row as read, its version with it) and `service`. */
  set(endpoint: Row<'endpoints'>, service: ServiceRow, now: Date, view: V): void {
    const { from, until } = statusSpan(endpoint, now);
    this.#entries.delete(endpoint.id);
    this.#entries.set(endpoint.id, {
      version: endpoint.version,
      service: serviceFacts(service),
      from,
      until,
      view,
    });
    if (this.#entries.size > this.capacity) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
  }
}
