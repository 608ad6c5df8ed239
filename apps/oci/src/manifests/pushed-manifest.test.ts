import { describe, expect, it } from 'vitest'
import { OciError } from '../errors/oci-error.js'
import { parsePushedManifest } from './pushed-manifest.js'

const D = (c: string) => `sha256:${c.repeat(64)}`
const desc = (mediaType: string, c: string, extra = {}) => ({ mediaType, digest: D(c), size: 10, ...extra })
const parse = (document: unknown, contentType?: string) => parsePushedManifest(Buffer.from(JSON.stringify(document)), contentType, 'the test manifest')
const codeOf = (run: () => unknown) => {
  try {
    run()
    return undefined
  } catch (error) {
    return error instanceof OciError ? error.ociCode : 'not an OciError'
  }
}

describe('parsePushedManifest', () => {
  it('names the blobs an image needs, skipping foreign layers fetched from their URLs', () => {
    const docker = 'application/vnd.docker.distribution.manifest.v2+json'
    const manifest = parse(
      {
        schemaVersion: 2,
        mediaType: docker,
        config: desc('application/vnd.docker.container.image.v1+json', 'a'),
        layers: [
          desc('application/vnd.docker.image.rootfs.diff.tar.gzip', 'b'),
          desc('application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', 'c', { urls: ['https://x'] }),
        ],
      },
      `${docker}; charset=utf-8`,
    )
    expect(manifest.mediaType).toBe(docker)
    expect(manifest.blobs.map((b) => b.digest)).toEqual([D('a'), D('b')])
    expect(manifest.artifactType).toBe('application/vnd.docker.container.image.v1+json')
  })

  it('takes the type from the document when the client sent none, or guesses it from the shape', () => {
    expect(parse({ schemaVersion: 2, manifests: [desc('application/vnd.oci.image.manifest.v1+json', 'd')] }).mediaType).toBe(
      'application/vnd.oci.image.index.v1+json',
    )
    const index = parse({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json', manifests: [] }, 'application/json')
    expect(index.mediaType).toBe('application/vnd.docker.distribution.manifest.list.v2+json')
    expect(index.artifactType).toBeUndefined()
  })

  it('refuses other types, a type at odds with the header, bad descriptors and bad annotations', () => {
    const image = { schemaVersion: 2, config: desc('a/b', 'a'), layers: [] }
    expect(codeOf(() => parse({ ...image, mediaType: 'application/vnd.oci.artifact.manifest.v1+json' }))).toBe('MANIFEST_INVALID')
    expect(codeOf(() => parse({ ...image, mediaType: 'application/vnd.oci.image.index.v1+json' }, 'application/vnd.oci.image.manifest.v1+json'))).toBe(
      'MANIFEST_INVALID',
    )
    expect(codeOf(() => parse({ ...image, config: { ...desc('a/b', 'a'), size: -1 } }))).toBe('MANIFEST_INVALID')
    expect(codeOf(() => parse({ ...image, config: { ...desc('a/b', 'a'), digest: `sha256:${'A'.repeat(64)}` } }))).toBe('MANIFEST_INVALID')
    expect(codeOf(() => parse({ ...image, layers: [desc('not a type', 'b')] }))).toBe('MANIFEST_INVALID')
    expect(codeOf(() => parse({ ...image, annotations: { a: 1 } }))).toBe('MANIFEST_INVALID')
    expect(codeOf(() => parse({ ...image, subject: 'sha256:x' }))).toBe('MANIFEST_INVALID')
    expect(codeOf(() => parse({ ...image, layers: 'none' }))).toBe('MANIFEST_INVALID')
  })
})
