/**
 * Pushes through nginx in front of three replicas on one Ceph bucket and one PostgreSQL: round robin sends
 * an upload's POST, its PATCH chunks and its PUT to different replicas, so a push only works if every replica
 * sees the session the others started. skopeo pushes an image and pulls it back from each replica; a blob
 * uploaded in chunks (one replica per chunk) is stored with exactly its bytes.
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { basicAuth, buildOciLayout, describeSkopeo, makeTempDir, ociPushClient, pushLayout, sha256Of, skopeo, type TempDir } from '@larder/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHaCluster, type HaCluster } from './ha-cluster.js'

const TOKEN = 'e2e-ha-oci-token'
let cluster: HaCluster
let work: TempDir

beforeAll(async () => {
  work = await makeTempDir('larder-e2e-ha-oci-')
  cluster = await startHaCluster({ env: { LARDER_TOKENS: `ci=${TOKEN}:oci` } })
}, 120_000)

afterAll(async () => {
  await cluster?.stop()
  await work?.cleanup()
})

/** How many replicas answered requests of upload sessions; one would mean nginx never spread the push. */
async function replicasServingUploads(): Promise<number> {
  const requests = await Promise.all(cluster.replicas.map((replica) => replica.requests()))
  return requests.filter((lines) => lines.some((line) => line.path.includes('/blobs/uploads/'))).length
}

describe('pushing to three replicas behind the load balancer', () => {
  it('pushes an image with skopeo whose upload requests land on different replicas, and every replica serves it', async () => {
    const layout = await buildOciLayout(join(work.path, 'app'), '1.0', [
      { files: { 'big.bin': randomBytes(512 * 1024).toString('base64'), 'hello.txt': 'hello from three replicas\n' } },
    ])
    const proxy = `127.0.0.1:${cluster.proxy.port}`
    const pushed = await pushLayout(layout.reference, `${proxy}/local/team/app:1.0`, `ci:${TOKEN}`)
    expect(pushed.code, `${describeSkopeo(pushed)}\n${cluster.output()}`).toBe(0)
    expect(await replicasServingUploads()).toBeGreaterThan(1)
    for (const host of [proxy, ...cluster.replicas.map((replica) => `127.0.0.1:${replica.port}`)]) {
      const inspected = await skopeo(['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${host}/local/team/app:1.0`])
      expect(inspected.stdout.trim(), `${host}: ${describeSkopeo(inspected)}`).toBe(layout.top.digest)
    }
    const out = join(work.path, 'pulled')
    const pulled = await skopeo(['copy', '--src-tls-verify=false', '--preserve-digests', `docker://${proxy}/local/team/app:1.0`, `oci:${out}:pulled`])
    expect(pulled.code, describeSkopeo(pulled)).toBe(0)
  })

  it('assembles a blob uploaded in chunks that each land on another replica', async () => {
    const client = ociPushClient((path, init) => fetch(`${cluster.proxy.url}${path}`, init), basicAuth('ci', TOKEN))
    const bytes = randomBytes(300 * 1024)
    const digest = await client.uploadChunked('local/team/chunks', bytes, 64 * 1024)
    expect(digest).toBe(sha256Of(bytes))
    for (const replica of cluster.replicas) {
      const blob = await fetch(`${replica.url}/v2/local/team/chunks/blobs/${digest}`, { headers: { authorization: basicAuth('ci', TOKEN) } })
      expect(blob.status, replica.url).toBe(200)
      expect(sha256Of(new Uint8Array(await blob.arrayBuffer())), replica.url).toBe(digest)
    }
    // A chunk out of order is refused wherever it lands, and says where the upload stands.
    const started = await client.startUpload('local/team/chunks')
    expect((await client.patch(started.location, bytes.subarray(0, 10), [0, 9])).status).toBe(202)
    const skipped = await client.patch(started.location, bytes.subarray(20, 30), [20, 29])
    expect([skipped.status, skipped.headers.get('range')]).toEqual([416, '0-9'])
  })
})
