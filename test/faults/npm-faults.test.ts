/** The upstream fault suite against the npm mirror: a fixture registry behind the fault proxy, one package per case. */
import { packNpmPackage, startFaultProxy, startNpmRegistryFixture } from '@larder/testkit'
import { bigText } from './big-payload.js'
import { describeFaultSuite } from './fault-suite.js'
import { ALL_CASES, BACKPRESSURE_CASE, type CaseFixture, type FaultCase } from './fault-target.js'
import { sha256Hex } from './larder-fetch.js'

describeFaultSuite('npm', async () => {
  const packages = await Promise.all(
    ALL_CASES.map((name) =>
      packNpmPackage({
        name: `fault-${name}`,
        version: '1.0.0',
        ...(name === BACKPRESSURE_CASE ? { files: { 'index.js': 'module.exports = 1\n', 'payload.txt': bigText() } } : {}),
      }),
    ),
  )
  const registry = await startNpmRegistryFixture({ packages })
  // dist.tarball names the registry's own origin; rewriting it sends tarball downloads through the proxy too.
  const proxy = await startFaultProxy({ target: registry.url, rewriteTargetUrls: true })
  const cases = Object.fromEntries(
    packages.map((pkg, i): [FaultCase, CaseFixture] => [
      ALL_CASES[i]!,
      {
        indexPath: `/npm/${pkg.name}`,
        artifactPath: `/npm/${pkg.name}/-/${pkg.filename}`,
        upstreamArtifactPath: `/${pkg.name}/-/${pkg.filename}`,
        sha256: sha256Hex(pkg.tarball),
        size: pkg.tarball.length,
      },
    ]),
  ) as Record<FaultCase, CaseFixture>
  return {
    mirror: 'npm',
    env: { LARDER_NPM_UPSTREAM: proxy.url },
    proxies: [proxy],
    cases,
    isArtifactPath: (path) => path.endsWith('.tgz'),
    stop: async () => {
      await proxy.stop()
      await registry.stop()
    },
  }
})
