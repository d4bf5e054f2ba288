/**
 * The one route table of both HTTP functions. Each dispatch (http-api, build-issue's operator routes)
 * matches requests against its own entries, the CDK stack makes an API Gateway route of each entry
 * and method, and the local bridge sends each request where API Gateway would (`routeTarget`).
 *
 * - `function`: the Lambda that answers; every path or method not in the table reaches `$default`,
 *   which is http-api (its own 404/405 pages).
 * - `auth`: `public` (anyone; changes need a signed token), `console` (http-api checks its signed
 *   session cookie itself), `operator` (IAM on AWS, the bearer operator token locally).
 * - `{name}` matches one non-empty path segment.
 * - `seesHead`: the route is given HEAD as HEAD (tracking routes must not count a scanner's HEAD);
 *   the others get HEAD as a GET without body. HEAD is never an API Gateway route of its own: it
 *   reaches `$default`, which is http-api, the function of every route that allows it.
 */
export const ROUTES = [
  { path: '/', methods: ['GET', 'HEAD'], function: 'http-api', auth: 'public' },
  { path: '/subscribe', methods: ['POST'], function: 'http-api', auth: 'public' },
  { path: '/confirm', methods: ['GET', 'HEAD'], function: 'http-api', auth: 'public' },
  { path: '/unsubscribe', methods: ['GET', 'HEAD', 'POST'], function: 'http-api', auth: 'public' },
  { path: '/preferences', methods: ['GET', 'HEAD', 'POST'], function: 'http-api', auth: 'public' },
  { path: '/r/{token}', methods: ['GET', 'HEAD'], function: 'http-api', auth: 'public', seesHead: true },
  { path: '/o/{token}', methods: ['GET', 'HEAD'], function: 'http-api', auth: 'public', seesHead: true },
  { path: '/admin', methods: ['GET', 'HEAD'], function: 'http-api', auth: 'console' },
  { path: '/admin/sign-in', methods: ['GET', 'HEAD', 'POST'], function: 'http-api', auth: 'console' },
  { path: '/admin/sign-out', methods: ['POST'], function: 'http-api', auth: 'console' },
  { path: '/admin/issues/{issueId}', methods: ['GET', 'HEAD'], function: 'http-api', auth: 'console' },
  { path: '/admin/digests', methods: ['GET', 'HEAD', 'POST'], function: 'http-api', auth: 'console' },
  { path: '/admin/subscribers', methods: ['GET', 'HEAD', 'POST'], function: 'http-api', auth: 'console' },
  { path: '/issues', methods: ['GET', 'POST'], function: 'build-issue', auth: 'operator' },
  { path: '/issues/{issueId}', methods: ['GET'], function: 'build-issue', auth: 'operator' },
  { path: '/issues/{issueId}/resume', methods: ['POST'], function: 'build-issue', auth: 'operator' },
] as const;

export type Route = (typeof ROUTES)[number];
export type HttpFunction = Route['function'];
export type RoutePath<F extends HttpFunction = HttpFunction> = Extract<Route, { function: F }>['path'];
export type RouteMethod = Route['methods'][number];

/** The function API Gateway sends everything to that no route names. */
export const DEFAULT_FUNCTION: HttpFunction = 'http-api';

export function routesOf<F extends HttpFunction>(fn: F): Extract<Route, { function: F }>[] {
  return ROUTES.filter((route): route is Extract<Route, { function: F }> => route.function === fn);
}

export type GatewayMethod = Exclude<RouteMethod, 'HEAD'>;

/** The methods API Gateway gets a route for: all but HEAD (see above). */
export function gatewayMethods(route: Route): GatewayMethod[] {
  const methods: readonly RouteMethod[] = route.methods;
  return methods.filter((method): method is GatewayMethod => method !== 'HEAD');
}

/** The `{name}` segments of `path` when it has the pattern's shape; otherwise null. */
function paramsOf(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (const [i, part] of want.entries()) {
    const segment = got[i] ?? '';
    if (part.startsWith('{')) {
      if (segment === '') return null;
      params[part.slice(1, -1)] = segment;
    } else if (part !== segment) return null;
  }
  return params;
}

export interface RouteMatch<R extends Route> {
  route: R;
  /** Still percent-encoded, as the path had them. */
  params: Record<string, string>;
}

/** The entry of `fn` (or of any function) whose path has the shape of `path`. */
export function matchRoute<F extends HttpFunction>(
  path: string,
  fn: F,
): RouteMatch<Extract<Route, { function: F }>> | undefined {
  for (const route of routesOf(fn)) {
    const params = paramsOf(route.path, path);
    if (params !== null) return { route, params };
  }
  return undefined;
}

/** The API Gateway route a request takes: a route's when path and method match, else `$default`. */
export function gatewayRoute(method: string, path: string): { function: HttpFunction; routeKey: string } {
  const wanted = method.toUpperCase();
  const route = ROUTES.find(
    (entry) => paramsOf(entry.path, path) !== null && gatewayMethods(entry).some((m) => m === wanted),
  );
  return route === undefined
    ? { function: DEFAULT_FUNCTION, routeKey: '$default' }
    : { function: route.function, routeKey: `${wanted} ${route.path}` };
}

export function allows(route: Route, method: string): boolean {
  return (route.methods as readonly string[]).includes(method);
}

export function seesHead(route: Route): boolean {
  return 'seesHead' in route && route.seesHead;
}
