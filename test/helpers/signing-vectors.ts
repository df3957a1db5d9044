/**
 * The test vectors of spec/signing.md ("Test vectors"), captured from the official SDK: one place
 * for what both the server's verifier (test/unit/signing.test.ts) and the SDK's signer
 * (test/unit/sdk-signer.test.ts) must reproduce.
 */
export const VECTOR = {
  ak: 'TESTAK0000000000000',
  sk: 'TESTSK000000000000000000000000000000000000',
  project: '0123456789abcdef0123456789abcdef',
  host: '127.0.0.1:18080',
  sdkDate: '20261127T223700Z',
  date: new Date('2026-11-27T22:37:00Z'),
  signedHeaders: ['content-type', 'host', 'x-project-id', 'x-sdk-date'],
  emptySha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
} as const;

/** Vector 1: PUT UpdateEndpointRoutetable with a body. */
export const PUT_VECTOR = {
  url: `/v1/${VECTOR.project}/vpc-endpoints/4189d3c2-8882-4871-a3c2-d380272eed83/routetables`,
  body: { routetables: ['0b9b9e2a-4d8e-4a8b-9b0b-0d0a0f0e0c0d', '1c8c8f3b-5e9f-4b9c-8c1c-1e1b1f1f1d1e'] },
  payloadSha256: '434c637b782a7e03d3ca497f31c5bde013a54425d0b5d5daab20443bae21c8b9',
  canonicalSha256: 'dc1aa4e4e253b7cd84c200682434b3384f4666193f0f93052006489d4890e6ea',
  signature: 'bb81693414449f2e78608888a8a3ceda4143397fa92c05555417010b952cdeba',
} as const;

/** Vector 2: GET ListEndpoints with an unsorted query and no body. */
export const GET_VECTOR = {
  url:
    `/v1/${VECTOR.project}/vpc-endpoints?endpoint_service_name=cn-north-4.com.myhuaweicloud.v4.obsv2` +
    '&vpc_id=4189d3c2-8882-4871-a3c2-d380272eed83&limit=10&offset=0&sort_key=create_at&sort_dir=desc',
  canonicalQuery:
    'endpoint_service_name=cn-north-4.com.myhuaweicloud.v4.obsv2&limit=10&offset=0' +
    '&sort_dir=desc&sort_key=create_at&vpc_id=4189d3c2-8882-4871-a3c2-d380272eed83',
  canonicalSha256: 'dc11be54dbdfc60cc3f432edcfef23e92d22ed5f27e550e3a17b1b9cf31e87a1',
  signature: '54d19aea455c5ed5d9f8961d6891055ad5ae6ab39515b465cf5a20c149490c0e',
} as const;
