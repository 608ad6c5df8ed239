import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  basicAuth,
  buildOciLayout,
  describeSkopeo,
  makeTempDir,
  ociPushClient,
  packNpmPackage,
  pushLayout,
  sha256Of,
  startNpmRegistryFixture,
  waitFor,
  type NpmRegistryFixture,
  type PackedPackage,
  type TempDir,
} from '@larder/testkit'
import { Agent, request, fetch as fetchWith } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClientSandbox, describeRun, type ClientSandbox } from '../support/clients.js'
import { startLarder, type LarderServer } from '../support/larder-process.js'
import { writePackageSource } from '../support/npm-publish.js'

/** LARDER_WORKERS=2: two worker processes behind one port and one data folder, with their primary. */
const WORKERS = 2
const PRIMARY_READY = /"msg":"2 workers listening on http:\/\/[^"]+"/
const TOKEN = 'workers-e2e-token-0123456789'

let upstream: NpmRegistryFixture
let big: PackedPackage
let larder: LarderServer
let clients: ClientSandbox
let work: TempDir

/** Each GET on a connection of its own, so the primary hands them to the workers in turn. */
async function getOnNewConnection(url: string, headers: Record<string, string> = {}) {
  const dispatcher = new Agent({ pipelining: 0 })
  try {
    const { statusCode, headers: responseHeaders, body } = await request(url, { dispatcher, headers })
    return { status: statusCode, headers: responseHeaders, body: Buffer.from(await body.arrayBuffer()) }
  } finally {
    await dispatcher.close()
  }
}

/** Which worker answered each request line, e.g. { 1: 20, 2: 20 }, once `total` lines are logged (logging is asynchronous). */
async function requestsPerWorker(path: string, total: number): Promise<Record<string, number>> {
  let counts: Record<string, number> = {}
  // The marker request of logs() reaches one worker: the other's lines may still be on their way.
  await waitFor(
    async () => {
      counts = countPerWorker(await larder.logs(), path)
      return Object.values(counts).reduce((a, b) => a + b, 0) >= total
    },
    { timeoutMs: 10_000, description: `${total} request lines for ${path}` },
  )
  return counts
}

function countPerWorker(logs: Record<string, unknown>[], path: string): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const line of logs) {
    if (line.path === path && typeof line.cache === 'string') counts[String(line.worker)] = (counts[String(line.worker)] ?? 0) + 1
  }
  return counts
}

/** The worker processes, as the kernel lists the primary's children. */
async function workerPids(): Promise<number[]> {
  const children = await readFile(`/proc/${larder.pid}/task/${larder.pid}/children`, 'utf8')
  return children.trim().split(/\s+/).filter(Boolean).map(Number)
}

beforeAll(async () => {
  big = await packNpmPackage({ name: 'e2e-workers-big', version: '1.0.0', files: { 'data.txt': randomBytes(2_000_000).toString('base64') } })
  upstream = await startNpmRegistryFixture({ packages: [big] })
  larder = await startLarder({
    env: { LARDER_WORKERS: String(WORKERS), LARDER_NPM_UPSTREAM: upstream.url, LARDER_TOKENS: `ci=${TOKEN}:*` },
    readyLine: PRIMARY_READY,
    readyTimeoutMs: 60_000,
  })
  clients = await createClientSandbox({ registry: larder.npmRegistry, npmrc: [`//127.0.0.1:${larder.port}/npm/:_authToken=${TOKEN}`] })
  work = await makeTempDir('larder-e2e-workers-')
})

afterAll(async () => {
  await larder?.stop()
  await clients?.cleanup()
  await work?.cleanup()
  await upstream?.stop()
})

describe('LARDER_WORKERS', () => {
  it('runs the workers on one port, with one signing key made once', async () => {
    const listening = (await larder.logs()).filter((line) => String(line.msg).startsWith('listening on'))
    expect(listening.map((line) => line.worker).sort()).toEqual([1, 2])
    expect(new Set(listening.map((line) => line.port)).size).toBe(1)
    expect(new Set(listening.map((line) => line.signingKey)).size).toBe(1)
    expect(await workerPids()).toHaveLength(WORKERS)
  })

  it('fetches an artifact missed by 40 clients on both workers from upstream once', async () => {
    const path = `/npm/${big.manifest.name}/-/${big.filename}`
    const answers = await Promise.all(Array.from({ length: 40 }, () => getOnNewConnection(larder.url + path)))
    for (const answer of answers) {
      expect(answer.status).toBe(200)
      expect(answer.body.equals(big.tarball)).toBe(true)
    }
    expect(upstream.hitCount((p) => p.endsWith('.tgz'))).toBe(1)
    expect(upstream.hitCount((p) => p === `/${big.manifest.name}`)).toBe(1)
    const perWorker = await requestsPerWorker(path, 40)
    expect(Object.keys(perWorker).sort()).toEqual(['1', '2'])
  })

  it('answers /metrics for the whole host, whichever worker is scraped', async () => {
    const npmLines = (await larder.logs()).filter((line) => line.app === 'npm' && typeof line.cache === 'string').length
    expect(npmLines).toBeGreaterThanOrEqual(40)
    for (let scrape = 0; scrape < 4; scrape++) {
      const { status, body } = await getOnNewConnection(`${larder.url}/metrics`)
      expect(status).toBe(200)
      const counted = body
        .toString()
        .split('\n')
        .filter((line) => line.startsWith('larder_requests_total{') && line.includes('app="npm"'))
        .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0)
      expect(counted).toBe(npmLines)
    }
  })

  it('shows a package published through one worker on every worker at once, never asking upstream for it', async () => {
    const name = 'e2e-workers-own'
    // Both workers first learn that upstream has no such package: a stale "absent" must not outlive the publish.
    for (const answer of await Promise.all(Array.from({ length: 6 }, () => getOnNewConnection(`${larder.npmRegistry}${name}`)))) {
      expect(answer.status).toBe(404)
    }
    expect(Object.keys(await requestsPerWorker(`/npm/${name}`, 6)).sort()).toEqual(['1', '2'])
    const upstreamAsked = upstream.hitCount((p) => p === `/${name}`)

    const source = await writePackageSource(work.path, name, '1.0.0')
    const published = await clients.npm(['publish', '--registry', larder.npmRegistry], { cwd: source })
    expect(published.code, describeRun(published)).toBe(0)
    const reads = await Promise.all(Array.from({ length: 10 }, () => getOnNewConnection(`${larder.npmRegistry}${name}`)))
    for (const read of reads) {
      expect(read.status).toBe(200)
      expect(Object.keys(JSON.parse(read.body.toString()).versions)).toEqual(['1.0.0'])
    }
    // Each worker now answers the packument from memory, before routing; the next publish must end that at once.
    const second = await writePackageSource(work.path, name, '1.1.0')
    const republished = await clients.npm(['publish', '--registry', larder.npmRegistry], { cwd: second })
    expect(republished.code, describeRun(republished)).toBe(0)
    for (const read of await Promise.all(Array.from({ length: 10 }, () => getOnNewConnection(`${larder.npmRegistry}${name}`)))) {
      expect(read.status).toBe(200)
      expect(Object.keys(JSON.parse(read.body.toString()).versions).sort()).toEqual(['1.0.0', '1.1.0'])
    }
    expect(upstream.hitCount((p) => p === `/${name}`)).toBe(upstreamAsked)
  })

  it('keeps one event outbox: publishes through both workers are listed in order with one id sequence', async () => {
    const puts = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const dispatcher = new Agent({ pipelining: 0 })
        try {
          const { statusCode, body } = await request(`${larder.url}/files/workers/file-${i}.txt`, {
            method: 'PUT',
            dispatcher,
            headers: { authorization: `Bearer ${TOKEN}` },
            body: `file ${i}\n`,
          })
          await body.dump()
          return statusCode
        } finally {
          await dispatcher.close()
        }
      }),
    )
    expect(puts.every((status) => status === 201)).toBe(true)
    const { status, body } = await getOnNewConnection(`${larder.url}/-/events?limit=100`, { authorization: `Bearer ${TOKEN}` })
    expect(status).toBe(200)
    const { events } = JSON.parse(body.toString()) as { events: Array<{ id: string; ecosystem: string; name: string; files: Array<{ name: string }> }> }
    const uploads = events.filter((event) => event.ecosystem === 'files' && event.name === 'workers')
    const uploaded = uploads.flatMap((event) => event.files.map((file) => file.name.split('/').pop())).sort()
    expect(uploaded).toEqual(Array.from({ length: 6 }, (_, i) => `file-${i}.txt`))
    const outboxes = new Set(events.map((event) => event.id.split('-')[0]))
    expect(outboxes.size).toBe(1)
    const seqs = events.map((event) => Number(event.id.split('-').pop()))
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i))
    const putLines = async () => (await larder.logs()).filter((line) => line.method === 'PUT' && String(line.path).startsWith('/files/workers/'))
    await waitFor(async () => (await putLines()).length === 6, { timeoutMs: 10_000, description: 'the six PUT request lines' })
    expect([...new Set((await putLines()).map((line) => line.worker))].sort()).toEqual([1, 2])
  })

  it('takes an image upload whose requests land on different workers, and a real skopeo push', async () => {
    // Every request of the push on a connection of its own: the primary hands them to the workers in turn.
    const onNewConnections = ociPushClient(
      async (path, init) => {
        const dispatcher = new Agent({ pipelining: 0 })
        try {
          const response = await fetchWith(`${larder.url}${path}`, { ...(init as object), dispatcher })
          const body = await response.arrayBuffer()
          const headers = Object.fromEntries(response.headers)
          return new Response([204, 304].includes(response.status) ? null : body, { status: response.status, headers })
        } finally {
          await dispatcher.close()
        }
      },
      basicAuth('ci', TOKEN),
    )
    const bytes = randomBytes(3 * 1024 * 1024 + 17)
    const digest = await onNewConnections.uploadChunked('local/workers/chunks', bytes, 512 * 1024)
    const served = await getOnNewConnection(`${larder.url}/v2/local/workers/chunks/blobs/${digest}`)
    expect(served.status).toBe(200)
    expect(sha256Of(served.body)).toBe(sha256Of(bytes))
    const patchWorkers = new Set((await larder.logs()).filter((line) => line.method === 'PATCH').map((line) => line.worker))
    expect([...patchWorkers].sort()).toEqual([1, 2])

    const layout = await buildOciLayout(join(work.path, 'image'), '1.0', [{ files: { 'hello.txt': 'pushed through two workers\n' } }])
    const pushed = await pushLayout(layout.reference, `127.0.0.1:${larder.port}/local/workers/app:1.0`, `ci:${TOKEN}`)
    expect(pushed.code, describeSkopeo(pushed)).toBe(0)
    const manifest = await getOnNewConnection(`${larder.url}/v2/local/workers/app/manifests/1.0`, { accept: 'application/vnd.oci.image.manifest.v1+json' })
    expect(manifest.status).toBe(200)
    expect(manifest.headers['docker-content-digest']).toBe(layout.top.digest)
  })

  it('stores a miss answered while the other workers are still starting (nobody waits for a worker that cannot hear yet)', async () => {
    // Ready at the first worker's line: the second is being forked and loaded while this miss is stored.
    const early = await startLarder({ env: { LARDER_WORKERS: String(WORKERS), LARDER_NPM_UPSTREAM: upstream.url } })
    try {
      const path = `/npm/${big.manifest.name}/-/${big.filename}`
      const { statusCode, body } = await request(early.url + path, { signal: AbortSignal.timeout(20_000) })
      expect(statusCode).toBe(200)
      expect(Buffer.from(await body.arrayBuffer()).equals(big.tarball)).toBe(true)
      const again = await request(early.url + path, { signal: AbortSignal.timeout(20_000) })
      expect(again.headers['x-larder-cache']).toBe('HIT')
      await again.body.dump()
    } finally {
      await early.stop()
    }
  })

  it('starts a worker killed with SIGKILL again, serving all along', async () => {
    const [victim] = await workerPids()
    const fetched = upstream.hitCount((p) => p.endsWith('.tgz'))
    process.kill(victim!, 'SIGKILL')
    // A connection the primary hands over in the instant the worker dies is lost with it (node:cluster); after that, only live workers get them.
    const exited = async () => (await larder.logs()).some((line) => /exited \(SIGKILL\); starting it again/.test(String(line.msg)))
    await waitFor(exited, { timeoutMs: 10_000, description: 'the primary to see the worker exit' })
    const path = `/npm/${big.manifest.name}/-/${big.filename}`
    for (let i = 0; i < 10; i++) {
      const answer = await getOnNewConnection(larder.url + path)
      expect(answer.status).toBe(200)
      expect(answer.body.equals(big.tarball)).toBe(true)
    }
    await waitFor(async () => (await workerPids()).length === WORKERS && !(await workerPids()).includes(victim!), {
      timeoutMs: 30_000,
      description: 'the primary to start the killed worker again',
    })
    expect(upstream.hitCount((p) => p.endsWith('.tgz'))).toBe(fetched)
  })
})
