/**
 * Security headers of every public archive page (`/archive/*`): the CloudFront response-headers
 * policy sets them on AWS (infra/constructs/archive-distribution.ts) and the local server sets the same. Issue
 * pages are email HTML, which needs inline styles and may show https images; nothing else may load,
 * no script may run, and no other site may frame a page.
 */
export const ARCHIVE_CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export const ARCHIVE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': ARCHIVE_CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
};
