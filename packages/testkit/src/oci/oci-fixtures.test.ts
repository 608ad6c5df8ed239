import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { makeTempDir, type TempDir } from '../temp/temp-dir.js'
import { waitFor } from '../temp/wait-for.js'
import { buildOciLayout, layoutDigest } from './oci-layout.js'
import { startRegistryFixture } from './registry-fixture.js'
import { describeSkopeo, pushLayout } from './skopeo.js'
import { startTokenIssuer } from './token-issuer.js'

const dirs: TempDir[] = []
afterAll(async () => {
  for (const dir of dirs) await dir.cleanup()
})

async function tempDir(): Promise<TempDir> {
  const dir = await makeTempDir('larder-oci-fixture-test-')
  dirs.push(dir)
  return dir
}

describe('OCI fixtures', () => {
  it('builds content-addressed layouts, with an index for several platforms', async () => {
    const dir = await tempDir()
    const layout = await buildOciLayout(join(dir.path, 'multi'), 'v1', [{}, { platform: { os: 'linux', architecture: 'arm64' } }])
    expect(layout.top.mediaType).toBe('application/vnd.oci.image.index.v1+json')
    expect(await layoutDigest(layout.dir, 'v1')).toBe(layout.top.digest)
    for (const descriptor of [layout.top, ...layout.images.flatMap((image) => [image.manifest, image.config, ...image.layers])]) {
      const bytes = await readFile(join(layout.dir, 'blobs', 'sha256', descriptor.digest.slice(7)))
      expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(descriptor.digest)
      expect(bytes.length).toBe(descriptor.size)
    }
  })

  it("runs Docker's registry with token auth that trusts only the issuer's tokens, and logs each request", async () => {
    const dir = await tempDir()
    const issuer = await startTokenIssuer({ dir: dir.path, users: { alice: 'pw' } })
    const registry = await startRegistryFixture({ tokenIssuer: issuer })
    try {
      const layout = await buildOciLayout(join(dir.path, 'one'), 'v1', [{}])
      const refused = await pushLayout(layout.reference, `${registry.host}/team/app:v1`)
      expect(refused.code).not.toBe(0)
      const pushed = await pushLayout(layout.reference, `${registry.host}/team/app:v1`, 'alice:pw')
      expect(pushed.code, `${describeSkopeo(pushed)}\n${registry.output()}`).toBe(0)
      const anonymous = await fetch(`${registry.url}/v2/team/app/manifests/v1`)
      expect(anonymous.status).toBe(401)
      expect(anonymous.headers.get('www-authenticate')).toContain(`realm="${issuer.realm}"`)
      await waitFor(() => registry.count('GET', (path) => path === '/v2/team/app/manifests/v1', 401) === 1, { description: 'the access log line' })
    } finally {
      await registry.cleanup()
      await issuer.stop()
    }
  })
})
