/** A tarball corrupted on the way from upstream is refused, never stored, and fetched again once the upstream heals. */
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, startNpmRegistryFixture, waitFor, type NpmRegistryFixture, type TempDir } from '@larder/testkit'
import { createClientSandbox, describeRun, removeNodeModules, type ClientSandbox } from '../support/clients.js'
import { startLarder, type LarderServer } from '../support/larder-process.js'
import { EXPECTED_GRAPH, installedGraph, isTarballPath, packNpmGraph, writeProject, type NpmGraph } from '../support/npm-graph.js'

let graph: NpmGraph
let fixture: NpmRegistryFixture
let larder: LarderServer
let clients: ClientSandbox
let work: TempDir

beforeAll(async () => {
  graph = await packNpmGraph()
  fixture = await startNpmRegistryFixture({ packages: graph.all })
  larder = await startLarder({ env: { LARDER_NPM_UPSTREAM: fixture.url } })
  clients = await createClientSandbox({ registry: larder.npmRegistry })
  work = await makeTempDir('larder-e2e-integrity-')
})

afterAll(async () => {
  await larder?.stop()
  await fixture?.stop()
  await clients?.cleanup()
  await work?.cleanup()
})

const sha512 = (bytes: Uint8Array) => `sha512-${createHash('sha512').update(bytes).digest('base64')}`

/** Reads a response body to the end, or returns the error that cut it off. */
async function readBody(response: Response): Promise<Buffer | Error> {
  try {
    return Buffer.from(await response.arrayBuffer())
  } catch (error) {
    return error as Error
  }
}

describe('corrupted tarballs from upstream', () => {
  it('a direct download of a corrupted, not yet cached tarball never yields the bad bytes as a complete body', async () => {
    const pkg = graph.right100
    const path = `/${pkg.name}/-/${pkg.filename}`
    await fixture.setFault('corrupt', isTarballPath)
    let body: Buffer | Error
    let status: number
    try {
      const response = await fetch(`${larder.npmRegistry}${pkg.name}/-/${pkg.filename}`)
      status = response.status
      body = await readBody(response)
    } finally {
      await fixture.setFault(null)
    }
    // Either an error status or a body cut short before its end: a client must not get a "good" download.
    if (status === 200) expect(body).toBeInstanceOf(Error)
    else expect(status).toBeGreaterThanOrEqual(500)
    expect(fixture.hitCount(path)).toBe(1)
    // The refusal is logged when the fill ends, after the request line (written when the headers went out).
    await waitFor(async () => (await larder.logs()).some((l) => l.code === 'E_INTEGRITY' && String(l.key).includes(pkg.filename)), {
      description: `Larder logging that ${pkg.filename} failed its integrity check`,
    })

    // Healed: fetched again (nothing bad was stored) and the bytes are the real ones.
    const response = await fetch(`${larder.npmRegistry}${pkg.name}/-/${pkg.filename}`)
    expect(response.status).toBe(200)
    expect(response.headers.get('x-larder-cache')).toBe('MISS')
    expect(sha512(Buffer.from(await response.arrayBuffer()))).toBe(pkg.integrity)
    expect(fixture.hitCount(path)).toBe(2)
  })

  it('npm install fails while the tarballs arrive corrupted, then succeeds with the right files once the upstream heals', async () => {
    const project = await writeProject(join(work.path, 'app'))
    const others = graph.all.filter((p) => p !== graph.right100)
    await fixture.setFault('corrupt', isTarballPath)
    fixture.resetHits()
    try {
      // No client retries: each would wait 10 s, and a retry of the same bad bytes proves nothing more.
      const failed = await clients.npm(['install', '--fetch-retries=0'], { cwd: project })
      expect(failed.code, describeRun(failed)).not.toBe(0)
      // Larder cuts the download off before its last byte, so npm sees the connection die, not a wrong tarball.
      expect(failed.stderr).toMatch(/ECONNRESET|EINTEGRITY|aborted/)
    } finally {
      await fixture.setFault(null)
    }
    // Larder asked upstream for (at least) one of the tarballs it did not have, and got bad bytes.
    const corrupted = others.filter((p) => fixture.hitCount(`/${p.name}/-/${p.filename}`) > 0)
    expect(corrupted.length).toBeGreaterThan(0)

    await removeNodeModules(project)
    await clients.freshCaches()
    fixture.resetHits()
    const since = (await larder.requests()).length
    const healed = await clients.npm(['install'], { cwd: project })
    expect(healed.code, describeRun(healed)).toBe(0)
    expect(await installedGraph(project)).toEqual(EXPECTED_GRAPH)
    for (const pkg of corrupted) {
      expect(fixture.hitCount(`/${pkg.name}/-/${pkg.filename}`), `${pkg.filename} fetched again`).toBe(1)
      const line = (await larder.requests()).slice(since).find((r) => r.path === `/npm/${pkg.name}/-/${pkg.filename}`)
      expect(line?.cache, `${pkg.filename} was not served from a stored bad copy`).toBe('MISS')
    }
  })
})
