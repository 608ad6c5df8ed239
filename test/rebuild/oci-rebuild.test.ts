/**
 * The rebuild guarantee for images: an image list naming a two-platform index by tag and an image by digest, both
 * pushed by skopeo to Docker's registry, is prefetched into a fresh store (every manifest and blob), verify passes,
 * export's SBOM names the digests, and with the registry stopped `skopeo copy --all` gets the same digests from a Larder with LARDER_OFFLINE=1.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeSkopeo, layoutDigest, skopeo, startRegistryFixture, type OciLayout, type RegistryFixture } from '@larder/testkit'
import { UPSTREAM, buildAndPush, pullThrough, startOciLarder, type OciLarder } from '../oci/oci-larder.js'
import { makeWorkDir, type WorkDir } from '../support/work-dir.js'
import { exportedSbom } from './bundle-steps.js'
import { describeCli, larderCli, parseReport } from './larder-cli.js'
import { expectAllAnswered } from './store-larders.js'

let work: WorkDir
let registry: RegistryFixture
let multi: OciLayout
let single: OciLayout
let env: Record<string, string>
let list: string
let prefetched: string
const servers: OciLarder[] = []

beforeAll(async () => {
  work = await makeWorkDir('larder-e2e-rebuild-oci-')
  registry = await startRegistryFixture()
  multi = await buildAndPush(registry, work.path, 'team/multi', 'v1', [
    { platform: { os: 'linux', architecture: 'amd64' }, files: { 'arch.txt': 'amd64\n' } },
    { platform: { os: 'linux', architecture: 'arm64' }, files: { 'arch.txt': 'arm64\n' } },
  ])
  single = await buildAndPush(registry, work.path, 'team/hello', 'v1', [{ files: { 'hello.txt': 'hello\n' } }])
  env = { LARDER_OCI_UPSTREAMS: `${UPSTREAM}=${registry.url}`, LARDER_OCI_DEFAULT_UPSTREAM: UPSTREAM }
  list = join(await work.dir('app'), 'images.txt')
  await writeFile(list, `# what the service runs\n${UPSTREAM}/team/multi:v1\n${UPSTREAM}/team/hello@${single.top.digest}\n`)
  prefetched = await work.dir('store-prefetched')
}, 300_000)

afterAll(async () => {
  for (const server of servers) await server.stop()
  await registry?.cleanup()
  await work?.cleanup()
})

describe('larder prefetch and verify of an OCI image list', () => {
  it('prefetch holds every manifest and blob of each image in a fresh store, each blob fetched once; verify then passes', async () => {
    const prefetch = await larderCli(['prefetch', list], prefetched, env)
    expect(prefetch.code, describeCli(prefetch)).toBe(0)
    expect(prefetch.stdout).toMatch(/all 2 packages held and verified/)
    const blobs = [...multi.images, ...single.images].flatMap((image) => [image.config, ...image.layers])
    expect(blobs).toHaveLength(6)
    for (const blob of blobs)
      expect(
        registry.count('GET', (path) => path.endsWith(`/blobs/${blob.digest}`), 200),
        blob.digest,
      ).toBe(1)

    const verify = await larderCli(['verify', '--json', list], prefetched, env)
    expect(verify.code, describeCli(verify)).toBe(0)
    const report = parseReport(verify)
    // The index by tag and its two platform manifests; the single image by digest.
    expect(report.totals).toMatchObject({ packages: 2, held: 2, failed: 0, files: 6, documents: 4 })
    for (const pkg of report.lockfiles[0]!.packages) {
      for (const file of pkg.files) expect(file).toMatchObject({ cache: 'OFFLINE', verified: ['sha256'] })
    }

    // The bundle's SBOM names each image by the digest its tag named when it was prefetched.
    const out = join(await work.dir('bundle'), 'images.tar')
    const sbom = await exportedSbom(list, prefetched, { out, into: await work.dir('bundle-unpacked') }, env)
    expect(sbom.components.map((c) => [c.purl, c.hashes.length])).toEqual([
      [`pkg:oci/multi@${multi.top.digest}?repository_url=${UPSTREAM}/team/multi&tag=v1`, 4],
      [`pkg:oci/hello@${single.top.digest}?repository_url=${UPSTREAM}/team/hello`, 2],
    ])
  })

  it('a digest the registry does not have fails prefetch, naming the image', async () => {
    const missing = `sha256:${'0'.repeat(64)}`
    const wrong = join(await work.dir('wrong'), 'images.txt')
    await writeFile(wrong, `${UPSTREAM}/team/hello@${missing}\n${UPSTREAM}/team/hello:v1\n`)
    const prefetch = await larderCli(['prefetch', wrong], await work.dir('store-wrong'), env)
    expect(prefetch.code, describeCli(prefetch)).toBe(1)
    expect(prefetch.stdout).toMatch(
      new RegExp(
        `not held \\(1\\):\\n {2}oci ${UPSTREAM}/team/hello@${missing} \\(.*images\\.txt:1\\)\\n {4}/v2/${UPSTREAM}/team/hello/manifests/${missing}: 404 MANIFEST_UNKNOWN: `,
      ),
    )
    expect(prefetch.stdout).toMatch(/1 of 2 packages are not held and verified/)
  })

  it('with the registry stopped, skopeo copy --all gets every platform from a Larder with LARDER_OFFLINE=1 on that store', async () => {
    await registry.stop()
    const offline = await startOciLarder(registry, { dataDir: prefetched, env: { LARDER_OFFLINE: '1' } })
    servers.push(offline)
    const out = join(work.path, 'pulled-multi')
    const copy = await skopeo([
      'copy',
      '--all',
      '--preserve-digests',
      '--src-tls-verify=false',
      `docker://${offline.host}/${UPSTREAM}/team/multi:v1`,
      `oci:${out}:pulled`,
    ])
    expect(copy.code, `${describeSkopeo(copy)}\n${offline.output()}`).toBe(0)
    expect(await layoutDigest(out, 'pulled')).toBe(multi.top.digest)
    for (const [i, arch] of ['amd64', 'arm64'].entries()) {
      expect(await pullThrough(offline, `${UPSTREAM}/team/multi:v1`, join(work.path, `pulled-${arch}`), { arch })).toBe(multi.images[i]!.manifest.digest)
    }
    expect(await pullThrough(offline, `${UPSTREAM}/team/hello@${single.top.digest}`, join(work.path, 'pulled-hello'))).toBe(single.top.digest)
    const served = (await offline.requests()).filter((r) => /\/(manifests|blobs)\//.test(r.path))
    expect(served.length).toBeGreaterThan(6)
    expectAllAnswered(served, 'OFFLINE')
    await offline.stop()
  })
})
