/** The deployment's public addresses, each without a trailing slash: made once, by `siteUrls`. */
export interface Urls {
  /** Where the HTTP API is served: the sign-up page and the links in emails. */
  readonly publicBaseUrl: string;
  /** Where the public archive is served ("view in browser", the archive's index and feed). */
  readonly archiveBaseUrl: string;
}

const trimmed = (url: string) => url.replace(/\/+$/, '');

/** The addresses from the base URL and the archive's own (`<publicBaseUrl>/archive` when not given). */
export function siteUrls(publicBaseUrl: string, archiveBaseUrl?: string): Urls {
  const base = trimmed(publicBaseUrl);
  return {
    publicBaseUrl: base,
    archiveBaseUrl: archiveBaseUrl === undefined ? `${base}/archive` : trimmed(archiveBaseUrl),
  };
}
