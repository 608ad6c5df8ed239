import { describe, expect, it } from 'vitest'
import { DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST, manifestMediaType } from './media-types.js'

const manifest = (extra: Record<string, unknown> = {}) =>
  Buffer.from(
    JSON.stringify({ schemaVersion: 2, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: 'sha256:x', size: 2 }, layers: [], ...extra }),
  )

describe('manifestMediaType', () => {
  it('takes the type from the header, else the document, else its shape', () => {
    expect(manifestMediaType('m', `${DOCKER_MANIFEST}; charset=utf-8`, manifest())).toBe(DOCKER_MANIFEST)
    expect(manifestMediaType('m', 'application/json', manifest({ mediaType: OCI_MANIFEST }))).toBe(OCI_MANIFEST)
    expect(manifestMediaType('m', 'application/json', Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [] })))).toBe(OCI_INDEX)
  })

  it('refuses bytes that are no schema 2 manifest even under a manifest Content-Type', () => {
    for (const [bytes, said] of [
      ['', /not JSON/],
      ['<!DOCTYPE html><html></html>', /not JSON/],
      ['[1]', /no object/],
      ['{"schemaVersion":1,"fsLayers":[]}', /schema 1/],
      ['{"errors":[]}', /without schemaVersion 2/],
      ['{"schemaVersion":2}', /neither a manifest/],
    ] as const) {
      expect(() => manifestMediaType('fixture/app:v1', OCI_MANIFEST, Buffer.from(bytes))).toThrow(said)
    }
  })
})
