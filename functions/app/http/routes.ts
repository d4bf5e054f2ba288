/**
 * The one route table of the HTTP API (the `http-api` function): dispatch matches requests against
 * it, the CDK stack makes an API Gateway route of each entry, the local bridge sends these paths to
 * the same handler. A `{name}` segment matches one path segment. `seesHead`: the route is given HEAD
 * as HEAD (tracking routes must not count a scanner's HEAD); the others get HEAD as a GET without body.
 */
export const HTTP_API_ROUTES = [
  { path: '/', methods: ['GET', 'HEAD'] },
  { path: '/subscribe', methods: ['POST'] },
  { path: '/confirm', methods: ['GET', 'HEAD'] },
  { path: '/unsubscribe', methods: ['GET', 'HEAD', 'POST'] },
  { path: '/preferences', methods: ['GET', 'HEAD', 'POST'] },
  { path: '/r/{token}', methods: ['GET', 'HEAD'], seesHead: true },
  { path: '/o/{token}', methods: ['GET', 'HEAD'], seesHead: true },
  { path: '/admin', methods: ['GET', 'HEAD'] },
  { path: '/admin/sign-in', methods: ['GET', 'HEAD', 'POST'] },
  { path: '/admin/sign-out', methods: ['POST'] },
  { path: '/admin/issues/{issueId}', methods: ['GET', 'HEAD'] },
  { path: '/admin/digests', methods: ['GET', 'HEAD', 'POST'] },
  { path: '/admin/subscribers', methods: ['GET', 'HEAD', 'POST'] },
] as const;
export type HttpApiRoute = (typeof HTTP_API_ROUTES)[number];
export type HttpApiPath = HttpApiRoute['path'];

function matches(pattern: string, path: string): boolean {
  const want = pattern.split('/');
  const got = path.split('/');
  return (
    want.length === got.length &&
    want.every((part, i) => (part.startsWith('{') ? (got[i] ?? '') !== '' : part === got[i]))
  );
}

export function matchRoute(path: string): HttpApiRoute | undefined {
  return HTTP_API_ROUTES.find((route) => matches(route.path, path));
}

export function seesHead(route: HttpApiRoute): boolean {
  return 'seesHead' in route && route.seesHead;
}
