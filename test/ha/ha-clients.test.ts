/**
 * The real pip and the real apt-get through nginx in front of three replicas sharing one Ceph bucket and one
 * PostgreSQL. Round robin sends each client request to another replica, so a client install only works if
 * what one replica cached (index pages, Release files, the artifact) is there for the others: the artifact
 * is fetched from upstream once, and a second install from empty client state with the upstream down
 * still works although the replica that fetched it is killed: whichever replica answers, it reads the bucket.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  aptKeyringsEnv,
  buildDeb,
  buildPythonDists,
  createAptSandbox,
  describeAptRun,
  startAptUpstreamFixture,
  startPypiIndexFixture,
  type AptSandbox,
  type AptUpstreamFixture,
  type BuiltDeb,
  type PypiIndexFixture,
  type PythonDist,
} from '@larder/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPythonClients, describeRun, type PythonClients } from '../pypi/python-clients.js'
import type { RequestLog } from '../support/larder-process.js'
import { startHaCluster, type HaCluster } from './ha-cluster.js'

let wheel: PythonDist
let deb: BuiltDeb
let pypi: PypiIndexFixture
let apt: AptUpstreamFixture
let cluster: HaCluster
let python: PythonClients
const sandboxes: AptSandbox[] = []

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** Each replica's request lines: which replica answered what, and from where (HIT, MISS, STALE...). */
const replicaRequests = (): Promise<RequestLog[][]> => Promise.all(cluster.replicas.map((replica) => replica.requests()))

/** How many replicas answered a request under `prefix`; one would mean nginx never spread the client. */
async function replicasServing(prefix: string): Promise<number> {
  return (await replicaRequests()).filter((requests) => requests.some((r) => r.path.startsWith(prefix))).length
}

/**
 * The one replica that fetched `path` from upstream. The upstream-down installs kill it first: nginx then
 * sends everything to the others, so a client only succeeds if they find its files in the shared store.
 */
async function fillerOf(path: string): Promise<number> {
  const fillers = (await replicaRequests()).flatMap((requests, i) => (requests.some((r) => r.path === path && r.cache === 'MISS') ? [i] : []))
  expect(fillers, cluster.output()).toHaveLength(1)
  return fillers[0]!
}

/**
 * With the upstream down, every replica (the restarted one too, a new process with an empty data folder)
 * answers the index from the shared store, stale, and the artifact with its bytes.
 */
async function expectEveryReplicaServes(indexPath: string, artifactPath: string, sha: string): Promise<void> {
  for (const replica of cluster.replicas) {
    const index = await fetch(`${replica.url}${indexPath}`)
    await index.arrayBuffer()
    expect([index.status, index.headers.get('x-larder-cache')], `${replica.url}${indexPath}`).toEqual([200, 'STALE'])
    const artifact = await fetch(`${replica.url}${artifactPath}`)
    expect(artifact.status, `${replica.url}${artifactPath}`).toBe(200)
    expect(sha256(new Uint8Array(await artifact.arrayBuffer())), `${replica.url}${artifactPath}`).toBe(sha)
  }
}

async function pipInstall(): Promise<void> {
  await python.freshVenv()
  const result = await python.pip(['install', '--index-url', `${cluster.proxy.url}/pypi/simple/`, 'e2e-ha-pylib'])
  expect(result.code, `${describeRun(result)}\n${cluster.output()}`).toBe(0)
  const imported = await python.python(['-c', 'import e2e_ha_pylib; print(e2e_ha_pylib.__version__)'])
  expect(imported.stdout.trim(), describeRun(imported)).toBe('2.3')
}

/** apt-get update and install --download-only in a new sandbox (empty lists and archives), through the LB. */
async function aptInstall(): Promise<void> {
  const sandbox = await createAptSandbox([{ url: `${cluster.proxy.url}/apt/fixture`, suite: 'stable', signedBy: apt.key.keyringPath }])
  sandboxes.push(sandbox)
  const update = await sandbox.update()
  expect(update.code, `${describeAptRun(update)}\n${cluster.output()}`).toBe(0)
  // apt-get update exits 0 on some failed fetches and a missing signature; its warnings say so.
  expect(`${update.stdout}${update.stderr}`).not.toMatch(/Hash Sum mismatch|NO_PUBKEY|not signed|W: |E: /)
  const install = await sandbox.downloadWithDependencies([deb.name])
  expect(install.code, `${describeAptRun(install)}\n${cluster.output()}`).toBe(0)
  expect(await sandbox.downloaded()).toEqual([deb.filename])
  expect(sha256(await readFile(join(sandbox.root, 'archives', deb.filename)))).toBe(deb.sha256)
}

beforeAll(async () => {
  ;[{ wheel }, deb] = await Promise.all([buildPythonDists({ name: 'e2e-ha-pylib', version: '2.3' }), buildDeb({ name: 'e2e-ha-deb', version: '1.4' })])
  ;[pypi, apt, python] = await Promise.all([
    startPypiIndexFixture({ format: 'json', dists: [wheel] }),
    startAptUpstreamFixture({ debs: [deb] }),
    createPythonClients(),
  ])
  cluster = await startHaCluster({
    replicas: 3,
    env: {
      LARDER_PYPI_UPSTREAM: pypi.simpleUrl,
      LARDER_APT_UPSTREAMS: `fixture=${apt.url}`,
      ...aptKeyringsEnv({ fixture: apt.key }),
      // Every index page and InRelease asks upstream again: with upstream down, each replica must fall back
      // to the copy in the shared store, not answer from a fresh copy of its own.
      LARDER_INDEX_TTL_SECONDS: '0',
    },
  })
})

afterAll(async () => {
  await cluster?.stop()
  await Promise.all(sandboxes.map((sandbox) => sandbox.cleanup()))
  await python?.cleanup()
  await pypi?.stop()
  await apt?.stop()
})

describe('pip through the load balancer of three replicas', () => {
  it('installs a wheel fetched from upstream once, although round robin spread the requests over the replicas', async () => {
    await pipInstall()
    expect(pypi.files.hitCount(`/files/${wheel.filename}`)).toBe(1)
    expect(await replicasServing('/pypi/')).toBeGreaterThan(1)
  })

  it('installs into a fresh venv with the upstream down and the replica that fetched the wheel killed', async () => {
    const wheelPath = `/pypi/files/e2e-ha-pylib/${wheel.sha256}/${wheel.filename}`
    const filler = await fillerOf(wheelPath)
    await pypi.index.setFault('refuse')
    await pypi.files.setFault('refuse')
    try {
      await cluster.replicas[filler]!.kill()
      await pipInstall()
      await cluster.restartReplica(filler)
      await expectEveryReplicaServes('/pypi/simple/e2e-ha-pylib/', wheelPath, wheel.sha256)
    } finally {
      await pypi.index.setFault(null)
      await pypi.files.setFault(null)
    }
    expect(pypi.files.hitCount(`/files/${wheel.filename}`)).toBe(1)
  })
})

describe('apt-get through the load balancer of three replicas', () => {
  it('updates with the archive key and downloads the .deb, fetched from upstream once', async () => {
    await aptInstall()
    expect(apt.hitCount(`/${apt.archive.poolPath(deb)}`)).toBe(1)
    expect(await replicasServing('/apt/fixture/')).toBeGreaterThan(1)
  })

  it('updates and downloads in a new sandbox with the upstream down and the replica that fetched the .deb killed', async () => {
    const debPath = `/apt/fixture/${apt.archive.poolPath(deb)}`
    const filler = await fillerOf(debPath)
    await apt.setFault('refuse')
    try {
      await cluster.replicas[filler]!.kill()
      await aptInstall()
      await cluster.restartReplica(filler)
      await expectEveryReplicaServes('/apt/fixture/dists/stable/InRelease', debPath, deb.sha256)
    } finally {
      await apt.setFault(null)
    }
    expect(apt.hitCount(`/${apt.archive.poolPath(deb)}`)).toBe(1)
  })
})
