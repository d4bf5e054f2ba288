import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ARCHIVE_CONTENT_SECURITY_POLICY,
  ARCHIVE_SECURITY_HEADERS,
} from '../../functions/render/archive-headers.ts';
import { resourcesOf, type Synthesized, synthBroadsheet } from './synth.ts';

let s: Synthesized;
beforeAll(() => {
  s = synthBroadsheet();
});

describe('the archive distribution', () => {
  it('answers with the archive security headers through a response-headers policy on its behaviour', () => {
    const policies = resourcesOf(s.statefulTemplate, 'AWS::CloudFront::ResponseHeadersPolicy');
    expect(policies).toHaveLength(1);
    const [policyId] = policies[0] ?? [''];
    s.statefulTemplate.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: {
          ContentSecurityPolicy: { ContentSecurityPolicy: ARCHIVE_CONTENT_SECURITY_POLICY, Override: true },
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true },
          StrictTransportSecurity: {
            AccessControlMaxAgeSec: 31_536_000,
            IncludeSubdomains: true,
            Override: true,
          },
        },
      }),
    });
    s.statefulTemplate.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultCacheBehavior: Match.objectLike({ ResponseHeadersPolicyId: { Ref: policyId } }),
      }),
    });
  });

  it('sets the same headers the local server sets, with no script allowed', () => {
    expect(ARCHIVE_SECURITY_HEADERS['content-security-policy']).toBe(ARCHIVE_CONTENT_SECURITY_POLICY);
    expect(ARCHIVE_CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(ARCHIVE_CONTENT_SECURITY_POLICY).not.toMatch(/script-src/);
    expect(ARCHIVE_SECURITY_HEADERS['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });
});
