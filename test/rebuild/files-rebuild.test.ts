/**
 * The rebuild guarantee for generic files: an artifacts.lock.yaml (Hermeto's format) naming release downloads of
 * fixture upstreams is prefetched into a fresh store, verify passes, and curl of the pinned URLs gets the same
 * bytes from a Larder on that store with LARDER_OFFLINE=1; a wrong checksum fails prefetch, naming the file.
 */
import { createHash, randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFixtureServer, type FixtureServer } from '@larder/testkit'
import { curl, describeCurl } from '../files/curl.js'
import { startLarder, type LarderServer } from '../support/larder-process.js'
import { makeWorkDir, type WorkDir } from '../support/work-dir.js'
import { exportedSbom } from './bundle-steps.js'
import { describeCli, larderCli, parseReport } from './larder-cli.js'

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')
const TOOL = randomBytes(300 * 1024)
const NODE = randomBytes(100 * 1024)
const TOOL_PATH = '/acme/tool/releases/download/v1.0.0/tool-linux-amd64.tar.gz'
const NODE_PATH = '/dist/v22.11.0/node-v22.11.0-linux-x64.tar.xz'
const SIGNED = '/release-assets/4711?sig=abc'

let objects: FixtureServer
let github: FixtureServer
let work: WorkDir
let env: Record<string, string>
let lockfile: string
let prefetched: string
const servers: LarderServer[] = []

function artifactsLock(entries: { url: string; checksum: string; filename?: string }[]): string {
  const items = entries.map((e) => `  - download_url: ${e.url}\n    checksum: ${e.checksum}\n${e.filename ? `    filename: ${e.filename}\n` : ''}`)
  return `---\nmetadata:\n  version: '1.0'\nartifacts:\n${items.join('')}`
}

beforeAll(async () => {
  // A release download redirects to another host, as GitHub's do.
  objects = await startFixtureServer({
    host: '127.0.0.2',
    handler: (req, res) => (req.url === SIGNED ? res.writeHead(200).end(TOOL) : res.writeHead(403).end()),
  })
  github = await startFixtureServer({
    handler: (req, res) => {
      if (req.url === TOOL_PATH) return res.writeHead(302, { location: `${objects.url}${SIGNED}` }).end()
      if (req.url === NODE_PATH) return res.writeHead(200).end(NODE)
      res.writeHead(404).end('Not Found')
    },
  })
  // Two upstreams on one host: the longer base takes its files (/files/nodejs/v22.11.0/...).
  env = { LARDER_FILES_UPSTREAMS: `github=${github.url},nodejs=${github.url}/dist` }
  work = await makeWorkDir('larder-e2e-rebuild-files-')
  prefetched = await work.dir('store-prefetched')
  lockfile = join(await work.dir('app'), 'artifacts.lock.yaml')
  await writeFile(
    lockfile,
    artifactsLock([
      { url: `${github.url}${TOOL_PATH}`, checksum: `sha256:${sha256(TOOL)}`, filename: 'tool.tar.gz' },
      { url: `${github.url}${NODE_PATH}`, checksum: `sha256:${sha256(NODE)}` },
    ]),
  )
})

afterAll(async () => {
  for (const server of servers) await server.stop()
  await github?.stop()
  await objects?.stop()
  await work?.cleanup()
})

describe('larder prefetch and verify of an artifacts.lock.yaml', () => {
  it('prefetch holds each file in a fresh store, fetched once; verify then passes offline; export names each by its purl', async () => {
    const prefetch = await larderCli(['prefetch', lockfile], prefetched, env)
    expect(prefetch.code, describeCli(prefetch)).toBe(0)
    expect(prefetch.stdout).toMatch(/all 2 packages held and verified/)
    expect(github.hitCount(TOOL_PATH)).toBe(1)
    expect(objects.hitCount(SIGNED)).toBe(1)
    expect(github.hitCount(NODE_PATH)).toBe(1)

    const verify = await larderCli(['verify', '--json', lockfile], prefetched, env)
    expect(verify.code, describeCli(verify)).toBe(0)
    const report = parseReport(verify)
    expect(report.totals).toMatchObject({ packages: 2, held: 2, failed: 0, files: 2, documents: 0 })
    expect(report.lockfiles[0]!.packages.map((p) => [p.name, p.files[0]!.path, p.files[0]!.cache, p.files[0]!.verified])).toEqual([
      ['tool.tar.gz', `/files/github${TOOL_PATH}?sha256=${sha256(TOOL)}`, 'OFFLINE', ['sha256']],
      ['node-v22.11.0-linux-x64.tar.xz', `/files/nodejs/v22.11.0/node-v22.11.0-linux-x64.tar.xz?sha256=${sha256(NODE)}`, 'OFFLINE', ['sha256']],
    ])

    const out = join(await work.dir('bundle'), 'files.tar')
    const sbom = await exportedSbom(lockfile, prefetched, { out, into: await work.dir('bundle-unpacked') }, env)
    expect(sbom.components.map((c) => c.purl)).toEqual([
      `pkg:generic/tool.tar.gz?checksum=sha256:${sha256(TOOL)}&download_url=${github.url}${TOOL_PATH}`,
      `pkg:generic/node-v22.11.0-linux-x64.tar.xz?checksum=sha256:${sha256(NODE)}&download_url=${github.url}${NODE_PATH}`,
    ])
  })

  it('curl of the pinned URLs gets the same bytes from a Larder with LARDER_OFFLINE=1 on that store', async () => {
    const offline = await startLarder({ dataDir: prefetched, env: { ...env, LARDER_OFFLINE: '1' } })
    servers.push(offline)
    github.resetHits()
    objects.resetHits()
    const out = await work.dir('downloads')
    for (const [path, bytes] of [
      [`/files/github${TOOL_PATH}?sha256=${sha256(TOOL)}`, TOOL],
      [`/files/nodejs/v22.11.0/node-v22.11.0-linux-x64.tar.xz?sha256=${sha256(NODE)}`, NODE],
    ] as const) {
      const got = await curl(out, ['-fL', `${offline.url}${path}`])
      expect(got.code, describeCurl(got) + offline.output()).toBe(0)
      expect(sha256(got.body)).toBe(sha256(bytes))
      expect(got.headers['x-larder-cache']).toBe('OFFLINE')
      expect(got.headers['x-checksum-sha256']).toBe(sha256(bytes))
    }
    expect(github.totalHits() + objects.totalHits()).toBe(0)
    await offline.stop()
  })

  it('a wrong checksum fails prefetch naming the file, and nothing is stored; a URL under no upstream names LARDER_FILES_UPSTREAMS', async () => {
    const wrong = sha256(Buffer.from('not the tool'))
    const tampered = join(await work.dir('tampered'), 'artifacts.lock.yaml')
    await writeFile(
      tampered,
      artifactsLock([
        { url: `${github.url}${TOOL_PATH}`, checksum: `sha256:${wrong}` },
        { url: 'https://downloads.example.invalid/x.tgz', checksum: `sha256:${wrong}` },
      ]),
    )
    const store = await work.dir('store-tampered')
    const prefetch = await larderCli(['prefetch', tampered], store, env)
    expect(prefetch.code, describeCli(prefetch)).toBe(1)
    expect(prefetch.stdout).toMatch(/not held \(2\):\n {2}files tool-linux-amd64\.tar\.gz \(.*artifacts\[0\]\)\n {4}\/files\/github\//)
    expect(prefetch.stdout).toContain(
      `/files/github${TOOL_PATH}?sha256=${wrong}: 502 E_INTEGRITY: github${TOOL_PATH}: the download from ${github.url}${TOOL_PATH}`,
    )
    expect(prefetch.stdout).toContain(`hashes to ${sha256(TOOL)}, not the pinned sha256 ${wrong}; nothing was stored`)
    expect(prefetch.stdout).toContain(
      `https://downloads.example.invalid/x.tgz is under no upstream of LARDER_FILES_UPSTREAMS (github=${github.url},nodejs=${github.url}/dist)`,
    )
    // Nothing stored: verify of the right lockfile on that store finds nothing.
    const verify = await larderCli(['verify', lockfile], store, env)
    expect(verify.code, describeCli(verify)).toBe(1)
    expect(verify.stdout).toMatch(/2 of 2 packages are not held and verified/)
  })
})
