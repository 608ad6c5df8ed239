/** The upstream fault suite against the PyPI mirror: an HTML simple index (page-relative file links) wholly behind the fault proxy. */
import { buildPythonDists, startFaultProxy, startPypiIndexFixture, type PythonDist } from '@larder/testkit'
import { bigWheel } from './big-payload.js'
import { describeFaultSuite } from './fault-suite.js'
import { ALL_CASES, BACKPRESSURE_CASE, type CaseFixture, type FaultCase } from './fault-target.js'

describeFaultSuite('pypi', async () => {
  const wheels: PythonDist[] = await Promise.all(
    ALL_CASES.map(async (name) =>
      name === BACKPRESSURE_CASE ? bigWheel(`fault-${name}`, '1.0') : (await buildPythonDists({ name: `fault-${name}`, version: '1.0' })).wheel,
    ),
  )
  // The HTML format links files as ../../files/<name>: relative to the page, so they resolve to the proxy.
  const index = await startPypiIndexFixture({ format: 'html', dists: wheels })
  const proxy = await startFaultProxy({ target: index.index.url })
  const cases = Object.fromEntries(
    wheels.map((wheel, i): [FaultCase, CaseFixture] => [
      ALL_CASES[i]!,
      {
        indexPath: `/pypi/simple/${wheel.name}/`,
        artifactPath: `/pypi/files/${wheel.name}/${wheel.sha256}/${wheel.filename}`,
        upstreamArtifactPath: `/files/${wheel.filename}`,
        sha256: wheel.sha256,
        size: wheel.bytes.length,
      },
    ]),
  ) as Record<FaultCase, CaseFixture>
  return {
    mirror: 'pypi',
    env: { LARDER_PYPI_UPSTREAM: `${proxy.url}/simple` },
    proxies: [proxy],
    cases,
    isArtifactPath: (path) => path.startsWith('/files/'),
    stop: async () => {
      await proxy.stop()
      await index.stop()
    },
  }
})
