/** What the pip and the Python lockfile rebuild tests share: the dists behind an index fixture and Larder A, the Python clients, a work dir. */
import { buildPythonDists, startPypiIndexFixture, type PypiIndexFixture, type PythonDist } from '@larder/testkit'
import { createPythonClients, type PythonClients } from '../pypi/python-clients.js'
import { startLarder, type LarderServer } from '../support/larder-process.js'
import { makeWorkDir, type WorkDir } from '../support/work-dir.js'

export interface PypiFamily {
  /** e2e-lib 1.0, a wheel and an sdist; the index also has 1.1, which no pin may fetch. */
  lib: { wheel: PythonDist; sdist: PythonDist }
  /** e2e_app 1.0, needing e2e-lib<1.1. */
  app: PythonDist
  upstream: PypiIndexFixture
  larderA: LarderServer
  clients: PythonClients
  work: WorkDir
  /** The settings that make a Larder or a run use the fixture's index as its upstream. */
  upstreamEnv: { LARDER_PYPI_UPSTREAM: string }
  stop(): Promise<void>
}

/** The index URL a client is given for `server`. */
export const indexUrl = (server: LarderServer) => `${server.url}/pypi/simple/`

export async function startPypiFamily(prefix: string): Promise<PypiFamily> {
  const lib = await buildPythonDists({ name: 'e2e-lib', version: '1.0' })
  const newer = (await buildPythonDists({ name: 'e2e-lib', version: '1.1' })).wheel
  const app = (await buildPythonDists({ name: 'e2e_app', version: '1.0', requires: ['e2e-lib<1.1'] })).wheel
  // Each started thing stops in reverse, also when a later start fails.
  const started: { stop(): Promise<unknown> }[] = []
  const stop = async () => {
    for (const it of started.splice(0).reverse()) await it.stop()
  }
  try {
    const upstream = await startPypiIndexFixture({ format: 'json', dists: [lib.wheel, lib.sdist, newer, app] })
    started.push(upstream)
    const upstreamEnv = { LARDER_PYPI_UPSTREAM: upstream.simpleUrl }
    const larderA = await startLarder({ env: upstreamEnv })
    started.push(larderA)
    const clients = await createPythonClients()
    started.push({ stop: clients.cleanup })
    const work = await makeWorkDir(prefix)
    started.push({ stop: work.cleanup })
    return { lib, app, upstream, larderA, clients, work, upstreamEnv, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
