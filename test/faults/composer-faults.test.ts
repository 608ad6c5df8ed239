/** The upstream fault suite against the Composer mirror: the metadata host and the dist host each behind their own fault proxy. */
import { buildComposerPackage, composerVersionEntry, startComposerDistFixture, startComposerMetadataFixture, startFaultProxy } from '@larder/testkit'
import { bigText } from './big-payload.js'
import { describeFaultSuite } from './fault-suite.js'
import { ALL_CASES, BACKPRESSURE_CASE, CONTENT_CASES, type CaseFixture, type FaultCase } from './fault-target.js'
import { sha256Hex } from './larder-fetch.js'

describeFaultSuite('composer', async () => {
  const packages = ALL_CASES.map((name) =>
    buildComposerPackage({ name: `acme/fault-${name}`, version: '1.0.0', ...(name === BACKPRESSURE_CASE ? { files: { 'data/payload.txt': bigText() } } : {}) }),
  )
  const dists = await startComposerDistFixture()
  const distProxy = await startFaultProxy({ target: dists.url })
  // The p2 files name the dist proxy as the dist host, so dist downloads cross a fault proxy too.
  const metadata = await startComposerMetadataFixture({
    versions: packages.map((pkg) => {
      const path = new URL(dists.add(pkg)).pathname
      // The content cases have no shasum, as code hosts' zipballs on Packagist: only the format check stands between a login page and the store.
      const noShasum = (CONTENT_CASES as readonly string[]).some((name) => pkg.name === `acme/fault-${name}`)
      return composerVersionEntry(pkg, { distUrl: `${distProxy.url}${path}`, ...(noShasum ? { shasum: 'empty' } : {}) })
    }),
  })
  const metadataProxy = await startFaultProxy({ target: metadata.url })
  const cases = Object.fromEntries(
    packages.map((pkg, i): [FaultCase, CaseFixture] => [
      ALL_CASES[i]!,
      {
        indexPath: `/composer/p2/${pkg.name}.json`,
        artifactPath: `/composer/dists/${pkg.name}/${pkg.versionNormalized}/${pkg.reference}.zip`,
        upstreamArtifactPath: `/zipball/${pkg.name}/${pkg.reference}`,
        sha256: sha256Hex(pkg.zip),
        size: pkg.zip.length,
      },
    ]),
  ) as Record<FaultCase, CaseFixture>
  return {
    mirror: 'composer',
    env: { LARDER_COMPOSER_UPSTREAM: metadataProxy.url },
    proxies: [metadataProxy, distProxy],
    cases,
    isArtifactPath: (path) => path.startsWith('/zipball/'),
    stop: async () => {
      await metadataProxy.stop()
      await distProxy.stop()
      await metadata.stop()
      await dists.stop()
    },
  }
})
