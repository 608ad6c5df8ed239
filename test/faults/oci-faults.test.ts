/** The upstream fault suite against the OCI mirror: Docker's distribution registry behind the fault proxy, one image per case. */
import { join } from 'node:path'
import { buildOciLayout, makeTempDir, pushLayout, startFaultProxy, startRegistryFixture } from '@larder/testkit'
import { describeFaultSuite } from './fault-suite.js'
import { ALL_CASES, BACKPRESSURE_CASE, BIG_PAYLOAD_BYTES, type CaseFixture, type FaultCase } from './fault-target.js'

const UPSTREAM = 'fixture'

describeFaultSuite('oci', async () => {
  const work = await makeTempDir('larder-faults-oci-')
  const registry = await startRegistryFixture()
  const cases = {} as Record<FaultCase, CaseFixture>
  for (const name of ALL_CASES) {
    const repo = `fault-${name}`
    const spec = name === BACKPRESSURE_CASE ? { bigLayerBytes: BIG_PAYLOAD_BYTES } : { files: { [`${name}.txt`]: `${name}\n` } }
    const layout = await buildOciLayout(join(work.path, repo), 'v1', [spec])
    const pushed = await pushLayout(layout.reference, `${registry.host}/${repo}:v1`)
    if (pushed.code !== 0) throw new Error(`push ${repo}: ${pushed.stderr}\n${registry.output()}`)
    const layer = [...layout.images[0]!.layers].sort((a, b) => b.size - a.size)[0]!
    cases[name] = {
      indexPath: `/v2/${UPSTREAM}/${repo}/manifests/v1`,
      artifactPath: `/v2/${UPSTREAM}/${repo}/blobs/${layer.digest}`,
      upstreamArtifactPath: `/v2/${repo}/blobs/${layer.digest}`,
      sha256: layer.digest.slice('sha256:'.length),
      size: layer.size,
    }
  }
  const proxy = await startFaultProxy({ target: registry.url })
  return {
    mirror: 'oci',
    env: { LARDER_OCI_UPSTREAMS: `${UPSTREAM}=${proxy.url}` },
    proxies: [proxy],
    cases,
    isArtifactPath: (path) => path.includes('/blobs/'),
    revalidatesWithHead: true,
    stop: async () => {
      await proxy.stop()
      await registry.cleanup()
      await work.cleanup()
    },
  }
})
