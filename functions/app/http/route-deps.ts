import type { Log, MetricsSink } from '../../core/ports.ts';
import type { SubscriberContext } from '../../core/subscribers/use-case-context.ts';
import type { DigestCatalogue } from './digest-catalogue.ts';
import type { HttpRequest } from './event.ts';
import type { HttpResponse, Pages } from './responses.ts';

/** `pages`: the page kit bound to the publication's brand for this request. */
export type Route = (request: HttpRequest, pages: Pages) => Promise<HttpResponse>;

/** What the route handlers share, built once by createHttpApiHandler. */
export interface RouteDeps {
  catalogue: DigestCatalogue;
  /**
   * `lenient`: unsubscribing must keep working when the content config is broken; the page then
   * just cannot list digest titles.
   */
  context(lenient?: boolean): Promise<SubscriberContext>;
  metrics: MetricsSink;
  logger: Log;
  /** Counts an unsubscribe in the numbers of the issue whose link it came through. */
  unsubscribedBy?(issueId: string, token: string): Promise<void>;
}
