/** The upstream fault suite against the RubyGems mirror: a compact-index fixture behind the fault proxy, one gem per case. */
import { buildGem, startFaultProxy, startGemsUpstreamFixture } from '@larder/testkit'
import { bigText } from './big-payload.js'
import { describeFaultSuite } from './fault-suite.js'
import { ALL_CASES, BACKPRESSURE_CASE, type CaseFixture, type FaultCase } from './fault-target.js'

describeFaultSuite('gems', async () => {
  const gems = await Promise.all(
    ALL_CASES.map((name) =>
      buildGem({ name: `fault-${name}`, version: '1.0.0', ...(name === BACKPRESSURE_CASE ? { files: { 'payload.txt': bigText() } } : {}) }),
    ),
  )
  const upstream = await startGemsUpstreamFixture({ gems })
  const proxy = await startFaultProxy({ target: upstream.url })
  const cases = Object.fromEntries(
    gems.map((gem, i): [FaultCase, CaseFixture] => [
      ALL_CASES[i]!,
      {
        indexPath: `/gems/info/${gem.name}`,
        artifactPath: `/gems/gems/${gem.filename}`,
        upstreamArtifactPath: `/gems/${gem.filename}`,
        sha256: gem.sha256,
        size: gem.bytes.length,
      },
    ]),
  ) as Record<FaultCase, CaseFixture>
  return {
    mirror: 'gems',
    env: { LARDER_GEMS_UPSTREAM: proxy.url },
    proxies: [proxy],
    cases,
    isArtifactPath: (path) => path.startsWith('/gems/') && path.endsWith('.gem'),
    stop: async () => {
      await proxy.stop()
      await upstream.stop()
    },
  }
})
