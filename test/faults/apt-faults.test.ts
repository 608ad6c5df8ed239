/** The upstream fault suite against the APT mirror: one signed archive per case, all served from one folder behind the fault proxy. */
import { join } from 'node:path'
import { buildDeb, createAptArchive, createGpgKey, makeTempDir, startFaultProxy, type AptArchive, type BuiltDeb } from '@larder/testkit'
import { bigDeb } from './big-payload.js'
import { describeFaultSuite } from './fault-suite.js'
import { ALL_CASES, BACKPRESSURE_CASE, type CaseFixture, type FaultCase } from './fault-target.js'
import { startStaticServer } from './static-archive-server.js'

describeFaultSuite('apt', async () => {
  const folder = await makeTempDir('larder-faults-apt-archives-')
  const key = await createGpgKey()
  const archives: Array<{ name: FaultCase; deb: BuiltDeb; archive: AptArchive }> = []
  // One archive per case (archive names are the case names), so each case has an InRelease of its own to fault.
  for (const name of ALL_CASES) {
    const deb = name === BACKPRESSURE_CASE ? await bigDeb(`fault-${name}`, '1.0') : await buildDeb({ name: `fault-${name}`, version: '1.0' })
    const archive = await createAptArchive({ root: join(folder.path, name), key })
    await archive.publish([deb])
    archives.push({ name, deb, archive })
  }
  const server = await startStaticServer(folder.path)
  const proxy = await startFaultProxy({ target: server.url })
  const cases = Object.fromEntries(
    archives.map(({ name, deb, archive }): [FaultCase, CaseFixture] => [
      name,
      {
        indexPath: `/apt/${name}/dists/stable/InRelease`,
        between: [`/apt/${name}/dists/stable/main/binary-amd64/Packages`],
        artifactPath: `/apt/${name}/${archive.poolPath(deb)}`,
        upstreamArtifactPath: `/${name}/${archive.poolPath(deb)}`,
        sha256: deb.sha256,
        size: deb.bytes.length,
      },
    ]),
  ) as Record<FaultCase, CaseFixture>
  return {
    mirror: 'apt',
    env: {
      LARDER_APT_UPSTREAMS: ALL_CASES.map((name) => `${name}=${proxy.url}/${name}`).join(','),
      // Every case archive is signed by the one fixture key: Larder checks InRelease against it.
      LARDER_APT_KEYRINGS: ALL_CASES.map((name) => `${name}=${key.keyringPath}`).join(','),
    },
    proxies: [proxy],
    cases,
    isArtifactPath: (path) => path.includes('/pool/'),
    stop: async () => {
      await proxy.stop()
      await server.stop()
      await key.cleanup()
      await folder.cleanup()
    },
  }
})
