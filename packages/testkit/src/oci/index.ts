/** OCI fixtures: image layouts built at test time, Docker's registry as an upstream (anonymous or token auth), a token issuer, skopeo, and a small push client. */
export * from './oci-layout.js'
export * from './token-issuer.js'
export * from './registry-fixture.js'
export * from './skopeo.js'
export * from './oci-push-client.js'
