/**
 * Three replicas on one Ceph bucket and one PostgreSQL behind nginx: one upstream fetch per artifact across
 * them, a filler killed mid-download, a publish on one replica seen by another at once, stale answers from
 * every replica while the upstream is down, and the real npm through the load balancer.
 */
import { createHash, randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { makeTempDir, packNpmPackage, startNpmRegistryFixture, waitFor, type NpmRegistryFixture, type PackedPackage, type TempDir } from '@larder/testkit'
import { createS3Store } from '@larder/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeCli, larderCli } from '../rebuild/larder-cli.js'
import { createClientSandbox, describeRun } from '../support/clients.js'
import { resolveInstalled, writeProject } from '../support/npm-graph.js'
import { writePackageSource } from '../support/npm-publish.js'
import { startWebhookReceiver, type WebhookReceiver } from '../events/webhook-receiver.js'
import { HA_BUCKET, startHaCluster, type HaCluster } from './ha-cluster.js'

const TOKEN = 'e2e-ha-token-1'
const WEBHOOK_SECRET = 'e2e-ha-webhook-secret'
let receiver: WebhookReceiver
let fixture: NpmRegistryFixture
let cluster: HaCluster
let work: TempDir
let big: PackedPackage
let crash: PackedPackage
let dep: PackedPackage

/** A package whose tarball is a few MB (random bytes do not compress), so a download takes a while when dripped. */
const bulky = (name: string) =>
  packNpmPackage({ name, version: '1.0.0', files: { 'index.js': `module.exports = '${name}'\n`, 'blob.txt': randomBytes(3 * 1024 * 1024).toString('base64') } })
const tarballPath = (pkg: PackedPackage) => `/npm/${pkg.manifest.name}/-/${pkg.filename}`
const isTarballOf = (pkg: PackedPackage) => (path: string) => path.endsWith(`/-/${pkg.filename}`)
const eventsOf = async (url: string) =>
  (
    (await (await fetch(`${url}/-/events`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as {
      events: Array<{ id: string; name: string; version: string }>
    }
  ).events
/** The replica that sends to the webhook receiver now: its process id is in the claim's holder. */
async function webhookSender(): Promise<number> {
  const { default: pg } = await import('pg')
  const client = new pg.Client({ connectionString: cluster.databaseUrl })
  await client.connect()
  try {
    const { rows } = await client.query<{ holder: string }>('SELECT holder FROM larder_webhooks WHERE held_until > now()')
    const pid = Number(rows[0]?.holder.split(':')[1])
    return cluster.replicas.findIndex((replica) => replica.pid === pid)
  } finally {
    await client.end()
  }
}
const sha256 = (bytes: ArrayBuffer | Uint8Array) => createHash('sha256').update(new Uint8Array(bytes)).digest('hex')

async function fetchBody(url: string): Promise<{ status: number; sha: string; cache: string | null } | { failed: string }> {
  try {
    const response = await fetch(url)
    const body = await response.arrayBuffer()
    return { status: response.status, sha: sha256(body), cache: response.headers.get('x-larder-cache') }
  } catch (error) {
    return { failed: String(error) }
  }
}

async function leaseWaits(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text()
  return Number(/^larder_lease_waiting(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? 0)
}

beforeAll(async () => {
  ;[big, crash, dep] = await Promise.all([bulky('e2e-ha-big'), bulky('e2e-ha-crash'), packNpmPackage({ name: 'e2e-ha-dep', version: '1.2.0' })])
  fixture = await startNpmRegistryFixture({ packages: [big, crash, dep] })
  receiver = await startWebhookReceiver({ secret: WEBHOOK_SECRET })
  cluster = await startHaCluster({
    env: {
      LARDER_NPM_UPSTREAM: fixture.url,
      LARDER_TOKENS: `ci=${TOKEN}:npm`,
      LARDER_INDEX_TTL_SECONDS: '2',
      LARDER_WEBHOOKS: receiver.url,
      LARDER_WEBHOOK_SECRET: WEBHOOK_SECRET,
      LARDER_WEBHOOK_RETRY_MAX_SECONDS: '1',
    },
  })
  work = await makeTempDir('larder-e2e-ha-')
})

afterAll(async () => {
  await cluster?.stop()
  await fixture?.stop()
  await receiver?.stop()
  await work?.cleanup()
})

describe('three replicas on S3 and PostgreSQL', () => {
  it('fetches an artifact from upstream once for 100 concurrent misses spread over the replicas and the load balancer', async () => {
    await fixture.setFault('slow', isTarballOf(big), { bytesPerTick: 64 * 1024, tickMs: 20 })
    try {
      const bases = Array.from({ length: 100 }, (_, i) => (i % 4 === 3 ? cluster.proxy.url : cluster.replicas[i % 3]!.url))
      const results = await Promise.all(bases.map((base) => fetchBody(`${base}${tarballPath(big)}`)))
      const expected = sha256(big.tarball)
      expect(
        results.filter((r) => !('sha' in r) || r.status !== 200 || r.sha !== expected),
        cluster.output(),
      ).toEqual([])
      expect(fixture.hitCount(isTarballOf(big))).toBe(1)
    } finally {
      await fixture.setFault(null)
    }
  })

  it('completes every download with the right bytes when the filling replica is killed mid-download', async () => {
    await fixture.setFault('slow', isTarballOf(crash), { bytesPerTick: 16 * 1024, tickMs: 50 })
    try {
      const [filler, ...survivors] = cluster.replicas
      const first = fetchBody(`${filler!.url}${tarballPath(crash)}`)
      await waitFor(() => fixture.hitCount(isTarballOf(crash)) === 1, { description: 'replica 0 downloading' })
      const others = Array.from({ length: 20 }, (_, i) => fetchBody(`${survivors[i % 2]!.url}${tarballPath(crash)}`))
      // Both survivors wait for the filler's lease rather than downloading themselves.
      await waitFor(async () => (await leaseWaits(survivors[0]!.url)) > 0 && (await leaseWaits(survivors[1]!.url)) > 0, {
        description: 'both survivors waiting for the lease',
      })
      expect(fixture.hitCount(isTarballOf(crash))).toBe(1)
      await filler!.kill()
      const expected = sha256(crash.tarball)
      const killed = await first
      expect('sha' in killed && killed.status === 200 && killed.sha === expected).toBe(false)
      const results = await Promise.all(others)
      expect(
        results.filter((r) => !('sha' in r) || r.status !== 200 || r.sha !== expected),
        cluster.output(),
      ).toEqual([])
      // One survivor took the lease over and downloaded again; the other waited for it.
      expect(fixture.hitCount(isTarballOf(crash))).toBe(2)
    } finally {
      await fixture.setFault(null)
    }
    await cluster.restartReplica(0)
    expect((await fetchBody(`${cluster.replicas[0]!.url}${tarballPath(crash)}`)) as { sha: string }).toMatchObject({ sha: sha256(crash.tarball), cache: 'HIT' })
    // Nothing half-written is in the bucket: every blob there holds exactly the bytes its name says.
    const store = createS3Store({
      endpoint: cluster.ceph.endpoint,
      region: cluster.ceph.region,
      accessKeyId: cluster.ceph.accessKeyId,
      secretAccessKey: cluster.ceph.secretAccessKey,
      forcePathStyle: true,
      bucket: HA_BUCKET,
      spoolRoot: join(work.path, 'spool'),
    })
    try {
      let blobs = 0
      for await (const blob of store.listBlobs()) {
        const chunks: Buffer[] = []
        for await (const chunk of (await store.openBlob(blob.sha256))!) chunks.push(chunk as Buffer)
        expect(sha256(Buffer.concat(chunks)), `blob ${blob.sha256}`).toBe(blob.sha256)
        blobs++
      }
      expect(blobs).toBeGreaterThan(2)
    } finally {
      await store.close()
    }
  })

  it('installs a package published on replica A through replica B at once, although B had found no such name', async () => {
    const [a, b] = cluster.replicas
    expect((await fetch(`${b!.url}/npm/e2e-ha-private`)).status).toBe(404)
    const askedUpstream = fixture.hitCount((path) => path.includes('e2e-ha-private'))
    const publisher = await createClientSandbox({ registry: a!.npmRegistry, npmrc: [`//127.0.0.1:${a!.port}/npm/:_authToken=${TOKEN}`] })
    const installer = await createClientSandbox({ registry: b!.npmRegistry })
    try {
      const published = await publisher.npm(['publish'], { cwd: await writePackageSource(join(work.path, 'src'), 'e2e-ha-private', '1.0.0') })
      expect(published.code, describeRun(published)).toBe(0)
      const project = await writeProject(join(work.path, 'private-project'), { 'e2e-ha-private': '^1.0.0' })
      const installed = await installer.npm(['install', '--no-audit', '--no-fund'], { cwd: project })
      expect(installed.code, describeRun(installed)).toBe(0)
      expect((await resolveInstalled(project, ['e2e-ha-private'])).manifest.version).toBe('1.0.0')
      // B answered from the hosted package A wrote, not from its cached "absent" nor from upstream.
      expect(fixture.hitCount((path) => path.includes('e2e-ha-private'))).toBe(askedUpstream)
      // One event for the cluster: sent once, whichever replica sends, and listed the same by every replica.
      // The filler killed above may have been the sender: a SIGKILLed sender cannot release its claim, so the
      // others take the receiver over only once it runs out (45 s after its last renewal).
      const [event] = await receiver.waitFor(1, 120_000)
      expect(event).toMatchObject({ type: 'publish', ecosystem: 'npm', name: 'e2e-ha-private', version: '1.0.0' })
      expect(receiver.deliveries(event!.id)).toBe(1)
      for (const replica of cluster.replicas) expect((await eventsOf(replica.url)).map((e) => e.id)).toEqual([event!.id])
    } finally {
      await publisher.cleanup()
      await installer.cleanup()
    }
  })

  it('hands webhook delivery to another replica when the sending one is killed', async () => {
    await receiver.waitFor(1)
    const sender = await webhookSender()
    expect(sender).toBeGreaterThanOrEqual(0)
    await cluster.replicas[sender]!.kill()
    const other = cluster.replicas[(sender + 1) % cluster.replicas.length]!
    const publisher = await createClientSandbox({ registry: other.npmRegistry, npmrc: [`//127.0.0.1:${other.port}/npm/:_authToken=${TOKEN}`] })
    try {
      const published = await publisher.npm(['publish'], { cwd: await writePackageSource(join(work.path, 'src-2'), 'e2e-ha-private', '1.0.1') })
      expect(published.code, describeRun(published)).toBe(0)
      // The dead sender's claim runs out (45 s) and a survivor takes the receiver over from the shared cursor.
      const events = await receiver.waitFor(2, 120_000)
      expect(events[1]).toMatchObject({ type: 'publish', name: 'e2e-ha-private', version: '1.0.1' })
      expect(events.map((e) => receiver.deliveries(e.id))).toEqual([1, 1])
      expect(await webhookSender()).not.toBe(sender)
    } finally {
      await publisher.cleanup()
      await cluster.restartReplica(sender)
    }
  })

  it('signs the hosted APT repository with one key on every replica, made once and kept in the shared store', async () => {
    const keyrings = await Promise.all(
      cluster.replicas.map(async (replica) => {
        const response = await fetch(`${replica.url}/apt/larder/larder-archive-keyring.asc`)
        expect(response.status).toBe(200)
        return response.text()
      }),
    )
    expect(keyrings[0]).toContain('BEGIN PGP PUBLIC KEY BLOCK')
    expect(new Set(keyrings).size).toBe(1)
  })

  it('runs the store commands on the shared bucket and database, not on an empty local folder', async () => {
    const stats = await larderCli(['stats', '--json'], join(work.path, 'cli-data'), cluster.env)
    expect(stats.code, describeCli(stats)).toBe(0)
    const npm = (JSON.parse(stats.stdout) as { ecosystems: Record<string, { mirrored: { entries: number } }> }).ecosystems.npm
    expect(npm?.mirrored.entries).toBeGreaterThan(2)
    const gc = await larderCli(['gc', '--dry-run', '--json'], join(work.path, 'cli-data'), cluster.env)
    expect(gc.code, describeCli(gc)).toBe(0)
    expect((JSON.parse(gc.stdout) as { referenced: number }).referenced).toBeGreaterThan(2)
  })

  it('installs with the real npm through the load balancer', async () => {
    const sandbox = await createClientSandbox({ registry: `${cluster.proxy.url}/npm/` })
    try {
      const project = await writeProject(join(work.path, 'lb-project'), { 'e2e-ha-dep': '^1.0.0', 'e2e-ha-big': '1.0.0' })
      const installed = await sandbox.npm(['install', '--no-audit', '--no-fund'], { cwd: project })
      expect(installed.code, describeRun(installed)).toBe(0)
      expect((await resolveInstalled(project, ['e2e-ha-dep'])).manifest.version).toBe('1.2.0')
    } finally {
      await sandbox.cleanup()
    }
  })

  it('serves stale from every replica while the upstream is down', async () => {
    for (const replica of cluster.replicas) expect((await fetch(`${replica.url}/npm/e2e-ha-dep`)).status).toBe(200)
    await fixture.setFault('refuse')
    try {
      for (const replica of cluster.replicas) {
        const packument = await waitFor(
          async () => {
            const response = await fetch(`${replica.url}/npm/e2e-ha-dep`)
            await response.arrayBuffer()
            return response.status === 200 && response.headers.get('x-larder-cache') === 'STALE' ? response : undefined
          },
          { description: `a stale packument from ${replica.url}`, timeoutMs: 30_000 },
        )
        expect(packument.status).toBe(200)
        const tarball = await fetchBody(`${replica.url}${tarballPath(dep)}`)
        expect(tarball).toMatchObject({ status: 200, sha: sha256(dep.tarball) })
      }
    } finally {
      await fixture.setFault(null)
    }
  })
})
