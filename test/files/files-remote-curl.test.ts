/**
 * Remote files with real curl: a release download that redirects to another host (as GitHub's do, to
 * objects.githubusercontent.com) is fetched once and kept; it is served with the upstream stopped, and by a
 * restarted Larder in offline mode; a pinned URL with a wrong digest is refused.
 */
import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, startFixtureServer, type FixtureServer, type TempDir } from '@larder/testkit'
import { startLarder, type LarderServer } from '../support/larder-process.js'
import { curl, describeCurl } from './curl.js'

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex')
const ASSET = randomBytes(512 * 1024)
const NODE_TARBALL = randomBytes(200 * 1024)
const RELEASE_PATH = '/acme/tool/releases/download/v1.0.0/tool-linux-amd64.tar.gz'
const SIGNED_ASSET = '/release-assets/4711?sig=abc&expires=1'

let objects: FixtureServer
let github: FixtureServer
let larder: LarderServer
let data: TempDir
let work: TempDir
let stopped = false

beforeAll(async () => {
  objects = await startFixtureServer({
    host: '127.0.0.2',
    handler: (req, res) => {
      if (req.url !== SIGNED_ASSET) return res.writeHead(403).end('bad signature')
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': ASSET.length }).end(ASSET)
    },
  })
  github = await startFixtureServer({
    handler: (req, res) => {
      if (req.url === RELEASE_PATH) return res.writeHead(302, { location: `${objects.url}${SIGNED_ASSET}` }).end()
      if (req.url === '/dist/v22.0.0/node-v22.0.0-linux-x64.tar.xz') return res.writeHead(200).end(NODE_TARBALL)
      if (req.url?.startsWith('/dist/other/')) return res.writeHead(200).end(`other file ${req.url}`)
      res.writeHead(404).end('Not Found')
    },
  })
  data = await makeTempDir('larder-e2e-files-remote-data-')
  work = await makeTempDir('larder-e2e-files-remote-')
  larder = await startLarder({ dataDir: data.path, env: filesEnv() })
})

afterAll(async () => {
  await larder?.stop()
  if (!stopped) await Promise.all([github?.stop(), objects?.stop()])
  await data?.cleanup()
  await work?.cleanup()
})

function filesEnv(extra: Record<string, string> = {}) {
  return { LARDER_FILES_UPSTREAMS: `github=${github.url},nodejs=${github.url}/dist`, LARDER_UPSTREAM_RETRIES: '0', ...extra }
}

const url = (path: string) => `${larder.url}/files/${path}`
const release = () => url(`github${RELEASE_PATH}`)

describe('curl -L and a remote file', () => {
  it('fetches a release through its redirect to another host once, streaming it, and logs and returns its digest', async () => {
    const first = await curl(work.path, ['-fL', release()])
    expect(first.status, describeCurl(first) + larder.output()).toBe(200)
    expect(first.body.equals(ASSET)).toBe(true)
    // The first download streams as it arrives; its digest is logged once stored, and sent from then on.
    expect(first.headers['x-larder-cache']).toBe('MISS')
    const again = await curl(work.path, ['-fL', release()])
    expect(again.body.equals(ASSET)).toBe(true)
    expect(again.headers['x-larder-cache']).toBe('HIT')
    expect(again.headers['x-checksum-sha256']).toBe(sha256(ASSET))
    expect(github.hitCount(RELEASE_PATH)).toBe(1)
    expect(objects.hitCount(SIGNED_ASSET)).toBe(1)
    const stored = (await larder.logs()).find((line) => typeof line.msg === 'string' && line.msg.includes('pin it with'))
    expect(stored, larder.output()).toMatchObject({ sha256: sha256(ASSET), url: `${objects.url}${SIGNED_ASSET}` })
  })

  it('serves a pinned URL when the digest matches, and refuses one with a wrong digest', async () => {
    const pinned = await curl(work.path, ['-fL', `${url('nodejs/v22.0.0/node-v22.0.0-linux-x64.tar.xz')}?sha256=${sha256(NODE_TARBALL)}`])
    expect(pinned.status, describeCurl(pinned)).toBe(200)
    expect(pinned.body.equals(NODE_TARBALL)).toBe(true)
    const wrong = sha256('a different file')
    const refused = await curl(work.path, ['-L', '--fail-with-body', `${url('nodejs/other/file.tgz')}?sha256=${wrong}`])
    expect(refused.code).toBe(22)
    expect(refused.status).toBe(502)
    expect(JSON.parse(refused.body.toString()).error).toMatch(new RegExp(`not the pinned sha256 ${wrong}; nothing was stored`))
    const held = await curl(work.path, ['-L', '--fail-with-body', `${release()}?sha256=${wrong}`])
    expect(held.status).toBe(409)
    expect(JSON.parse(held.body.toString()).error).toMatch(new RegExp(`held with sha256 ${sha256(ASSET)}, not the pinned ${wrong}`))
  })

  it('serves what it holds with the upstream stopped', async () => {
    await Promise.all([github.stop(), objects.stop()])
    stopped = true
    const served = await curl(work.path, ['-fL', release()])
    expect(served.status, describeCurl(served)).toBe(200)
    expect(served.body.equals(ASSET)).toBe(true)
    expect((await curl(work.path, ['-L', url('nodejs/v23.0.0/node.tar.xz')])).status).toBe(502)
  })

  it('serves what it holds after a restart in offline mode, and says 504 for the rest', async () => {
    await larder.stop()
    larder = await startLarder({ dataDir: data.path, env: filesEnv({ LARDER_OFFLINE: '1' }) })
    const served = await curl(work.path, ['-fL', release()])
    expect(served.status, describeCurl(served) + larder.output()).toBe(200)
    expect(served.body.equals(ASSET)).toBe(true)
    expect(served.headers['x-larder-cache']).toBe('OFFLINE')
    const pinned = await curl(work.path, ['-fL', `${url('nodejs/v22.0.0/node-v22.0.0-linux-x64.tar.xz')}?sha256=${sha256(NODE_TARBALL)}`])
    expect(pinned.body.equals(NODE_TARBALL)).toBe(true)
    expect((await curl(work.path, ['-L', url('nodejs/v24.0.0/node.tar.xz')])).status).toBe(504)
  })
})
