/** OCI image lists as locked items: references as Larder names them, and every manifest and blob of an image, a level per round. */
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { NeedDocuments } from '../../executor/more-documents.js'
import { documentKey, type LockedItem } from '../locked-item.js'
import { MANIFEST_ACCEPT } from './image-walk.js'
import { ociListFormat, readOciList } from './oci-list.js'

const digest = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`
const blob = (n: number) => `sha256:${String(n).repeat(64)}`

function image(config: number, layers: number[]): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: blob(config), size: 1 },
    layers: layers.map((n) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: blob(n), size: 1 })),
  })
}

const AMD64 = image(1, [2, 3])
const ARM64 = image(4, [2, 5])
const index = (manifests: string[]) =>
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: manifests.map((m) => ({ digest: digest(m), size: m.length })),
  })
const INNER = index([ARM64])
const TOP = index([AMD64, INNER])

function read(text: string, env: Record<string, string> = {}) {
  return readOciList('/srv/images.txt', text, { env })
}

/** The executor's rounds: documents asked for are served from `bodies` by path. */
function resolve(item: LockedItem, bodies: Record<string, string>) {
  const documents = new Map(item.indexes.map((d) => [documentKey(d), bodies[d.path] ?? '']))
  const rounds: string[][] = []
  for (;;) {
    try {
      return { artifacts: item.resolve!(documents), rounds }
    } catch (error) {
      if (!(error instanceof NeedDocuments)) throw error
      rounds.push(error.documents.map((d) => d.path))
      for (const doc of error.documents) {
        expect(doc.accept).toBe(MANIFEST_ACCEPT)
        documents.set(documentKey(doc), bodies[doc.path] ?? '')
      }
    }
  }
}

describe('OCI image list', () => {
  it('is told by its name only', () => {
    expect(ociListFormat.byName('images.txt') && ociListFormat.byName('prod.oci-list')).toBe(true)
    expect(ociListFormat.byContent).toBeUndefined()
  })

  it('names each image as Larder does: upstream first, library/ for Docker Hub, the hosted name, the default upstream', () => {
    const pinned = `ghcr.io/org/app@${blob(9)}`
    const { items } = read(
      ['# base images', 'docker.io/library/debian:bookworm', 'docker.io/alpine', pinned, 'local/team/app:1.0', 'team/tool:2', ''].join('\n'),
    )
    expect(items.map((i) => [i.name, i.version, i.source, i.indexes[0]!.path])).toEqual([
      ['docker.io/library/debian', 'bookworm', '/srv/images.txt:2', '/v2/docker.io/library/debian/manifests/bookworm'],
      ['docker.io/library/alpine', 'latest', '/srv/images.txt:3', '/v2/docker.io/library/alpine/manifests/latest'],
      ['ghcr.io/org/app', blob(9), '/srv/images.txt:4', `/v2/ghcr.io/org/app/manifests/${blob(9)}`],
      ['local/team/app', '1.0', '/srv/images.txt:5', '/v2/local/team/app/manifests/1.0'],
      ['docker.io/team/tool', '2', '/srv/images.txt:6', '/v2/docker.io/team/tool/manifests/2'],
    ])
    expect(items[2]!.purl).toBe(`pkg:oci/app@${blob(9)}?repository_url=ghcr.io/org/app`)
  })

  it('fails a registry Larder does not mirror, naming LARDER_OCI_UPSTREAMS, and a reference that is not one', () => {
    const { items } = read('registry.example.com/app:1\ndocker.io/Debian:x\nghcr.io/org/app@sha256:\n', {
      LARDER_OCI_UPSTREAMS: 'docker.io=https://registry-1.docker.io',
    })
    expect(items.map((i) => i.problem)).toEqual([
      'registry.example.com/app:1: registry.example.com is not a registry Larder mirrors (LARDER_OCI_UPSTREAMS names docker.io): add it as name=https://registry.example.com, and write the image as <name>/...',
      'docker.io/Debian:x: "Debian" is not a repository name component (lower-case letters, digits, . _ -)',
      'ghcr.io/org/app@sha256:: "sha256:" is not a digest (sha256:<hex>)',
    ])
  })

  it('holds every manifest of an index, a level per round, and each blob once; the SBOM gets the digest the tag named', () => {
    const [item] = read('fixture/team/multi:v1', { LARDER_OCI_UPSTREAMS: 'fixture=http://127.0.0.1:5000' }).items
    const base = '/v2/fixture/team/multi'
    const bodies = {
      [`${base}/manifests/v1`]: TOP,
      [`${base}/manifests/${digest(AMD64)}`]: AMD64,
      [`${base}/manifests/${digest(INNER)}`]: INNER,
      [`${base}/manifests/${digest(ARM64)}`]: ARM64,
    }
    const { artifacts, rounds } = resolve(item!, bodies)
    expect(rounds).toEqual([[`${base}/manifests/${digest(AMD64)}`, `${base}/manifests/${digest(INNER)}`], [`${base}/manifests/${digest(ARM64)}`]])
    expect(artifacts.map((a) => a.path)).toEqual([1, 2, 3, 4, 5].map((n) => `${base}/blobs/${blob(n)}`))
    expect(artifacts[0]!.expected).toEqual({ sha256: '1'.repeat(64) })
    expect(item!.purl).toBe(`pkg:oci/multi@${digest(TOP)}?repository_url=fixture/team/multi&tag=v1`)
  })

  it('fails a manifest whose bytes are not the digest that names it', () => {
    const [item] = read(`fixture/team/app@${digest(AMD64)}`, { LARDER_OCI_UPSTREAMS: 'fixture=http://127.0.0.1:5000' }).items
    expect(() => resolve(item!, { [`/v2/fixture/team/app/manifests/${digest(AMD64)}`]: ARM64 })).toThrow(
      `/v2/fixture/team/app/manifests/${digest(AMD64)}: the manifest hashes to ${digest(ARM64)}, not ${digest(AMD64)}`,
    )
    const [tagged] = read('fixture/team/app:v1', { LARDER_OCI_UPSTREAMS: 'fixture=http://127.0.0.1:5000' }).items
    expect(() => resolve(tagged!, { '/v2/fixture/team/app/manifests/v1': 'not json' })).toThrow('/v2/fixture/team/app/manifests/v1: not a JSON manifest')
  })
})
