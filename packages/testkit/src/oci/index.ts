/** OCI fixtures: image layouts built at test time, Docker's registry as an upstream (anonymous or token auth), a token issuer, and skopeo. */
export * from './oci-layout.js'
export * from './token-issuer.js'
export * from './registry-fixture.js'
export * from './skopeo.js'
