/**
 * The rebuild guarantee for Bundler: the real bundler writes Gemfile.lock through Larder A; `larder
 * prefetch` fills a fresh store, `larder verify` passes (also with a Bundler 2.5 CHECKSUMS section),
 * and the real `bundle install` with empty gem dirs installs from a Larder on that store with LARDER_OFFLINE=1.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildGem, makeTempDir, startGemsUpstreamFixture, type BuiltGem, type GemsUpstreamFixture, type TempDir } from '@larder/testkit'
import { createRubySandbox, describeRun, type RubySandbox } from '../gems/ruby-clients.js'
import { startLarder, type LarderServer } from '../support/larder-process.js'
import {
  awaitServed,
  deadUpstream,
  deadUpstreamEnv,
  expectBundleNames,
  exportBundle,
  extractBundle,
  filesUnder,
  get,
  importBundle,
  sha256Hex,
} from './bundle-steps.js'
import { describeCli, larderCli } from './larder-cli.js'

let base: BuiltGem
let top: BuiltGem
let fixture: GemsUpstreamFixture
let larderA: LarderServer
let work: TempDir
let lockText: string
let lockfile: string
let prefetched: string
const sandboxes: RubySandbox[] = []
const servers: LarderServer[] = []

const source = (server: LarderServer) => `${server.url}/gems/`
const dir = async (name: string) => {
  const path = join(work.path, name)
  await mkdir(path, { recursive: true })
  return path
}
async function sandbox(): Promise<RubySandbox> {
  const created = await createRubySandbox()
  sandboxes.push(created)
  return created
}
/** The section Bundler >= 2.5 writes with lockfile_checksums (the Bundler here is older), before BUNDLED WITH. */
const withChecksums = (text: string, sums: Record<string, string>) =>
  text.replace(
    /\nBUNDLED WITH/,
    `\nCHECKSUMS\n${Object.entries(sums)
      .map(([gem, sha256]) => `  ${gem} sha256=${sha256}\n`)
      .join('')}\nBUNDLED WITH`,
  )

beforeAll(async () => {
  base = await buildGem({ name: 'e2e-base', version: '1.0.0' })
  top = await buildGem({ name: 'e2e-top', version: '1.0.0', dependencies: { 'e2e-base': ['~> 1.0'] } })
  fixture = await startGemsUpstreamFixture({ gems: [base, top] })
  larderA = await startLarder({ env: { LARDER_GEMS_UPSTREAM: fixture.url } })
  work = await makeTempDir('larder-e2e-rebuild-gems-')
  const client = await sandbox()
  await client.writeGemfile(source(larderA), ['e2e-top'])
  const install = await client.bundle(['install'])
  if (install.code !== 0) throw new Error(describeRun(install))
  lockText = await readFile(join(client.project, 'Gemfile.lock'), 'utf8')
  lockfile = join(await dir('project'), 'Gemfile.lock')
  await writeFile(lockfile, lockText)
  prefetched = await dir('store-prefetched')
})

afterAll(async () => {
  for (const server of servers) await server.stop()
  await larderA?.stop()
  await Promise.all(sandboxes.map((s) => s.cleanup()))
  await fixture?.stop()
  await work?.cleanup()
})

describe('larder prefetch and verify of a Gemfile.lock bundler wrote', () => {
  it('prefetch holds both gems and the compact index in a fresh store; verify passes, CHECKSUMS included', async () => {
    expect(lockText).toContain('e2e-base (1.0.0)')
    const prefetch = await larderCli(['prefetch', lockfile], prefetched, { LARDER_GEMS_UPSTREAM: fixture.url })
    expect(prefetch.code, describeCli(prefetch)).toBe(0)
    expect(prefetch.stdout).toMatch(/all 2 packages held and verified/)
    const checked = join(await dir('checksums'), 'Gemfile.lock')
    await writeFile(checked, withChecksums(lockText, { 'e2e-base (1.0.0)': base.sha256, 'e2e-top (1.0.0)': top.sha256 }))
    const verify = await larderCli(['verify', '--json', lockfile, checked], prefetched)
    expect(verify.code, describeCli(verify)).toBe(0)
    const report = JSON.parse(verify.stdout)
    expect(report.lockfiles[1].format).toBe('Gemfile.lock (with CHECKSUMS)')
    expect(report.lockfiles[1].packages.map((p: { files: { verified: string[] }[] }) => p.files[0]!.verified)).toEqual([['sha256'], ['sha256']])
    expect(report.totals.documents).toBe(3)
  })

  it('the real bundle install with empty gem dirs installs from a Larder on the prefetched store with LARDER_OFFLINE=1', async () => {
    const port = larderA.port
    await larderA.stop()
    const offline = await startLarder({ dataDir: prefetched, port, env: { LARDER_OFFLINE: '1', LARDER_GEMS_UPSTREAM: 'http://127.0.0.1:9' } })
    servers.push(offline)
    const client = await sandbox()
    await client.writeGemfile(source(offline), ['e2e-top'])
    await writeFile(join(client.project, 'Gemfile.lock'), lockText)
    const install = await client.bundle(['install'])
    expect(install.code, describeRun(install) + offline.output()).toBe(0)
    const loaded = await client.bundle(['exec', 'ruby', '-e', 'require "e2e-base"; print E2eBase::VERSION'])
    expect(loaded.stdout, describeRun(loaded)).toBe('1.0.0')
    expect(offline.requests().filter((r) => r.path.endsWith('.gem') && r.status === 200 && r.cache === 'OFFLINE')).toHaveLength(2)
    await offline.stop()
  })

  it('export bundles what Gemfile.lock needs (zstd by its name); bundle install installs from a running Larder with a dead upstream that imported it', async () => {
    const bundle = join(await dir('bundle'), 'bundle.tar.zst')
    const exported = await exportBundle([lockfile], prefetched, bundle, { zstd: true })
    const extracted = await extractBundle(bundle, await dir('bundle-extracted'), true)
    expectBundleNames(
      extracted,
      [base, top].map((gem) => ({ purl: `pkg:gem/${gem.name}@${gem.version}`, sha256: [gem.sha256] })),
    )
    expect(exported).toMatchObject({ entries: extracted.manifest.entries.length, blobs: extracted.manifest.blobs.length })

    // B: on A's port (the lockfile's remote), a fresh store, an upstream nobody listens on (index TTL 0, so it asks it); running before the import.
    const storeB = await dir('store-imported')
    const imported = await startLarder({ dataDir: storeB, port: larderA.port, env: deadUpstreamEnv('LARDER_GEMS_UPSTREAM', await deadUpstream()) })
    servers.push(imported)
    // Before the import B cannot serve e2e-base (and its entry cache remembers it absent); soon after it can.
    const gemUrl = `${source(imported)}gems/${base.filename}`
    expect((await get(gemUrl)).status, imported.output()).toBeGreaterThanOrEqual(500)
    await importBundle(bundle, storeB, extracted.manifest)
    await awaitServed(gemUrl, base.bytes)
    const asked = imported.requests().length
    fixture.resetHits()
    const client = await sandbox()
    await client.writeGemfile(source(imported), ['e2e-top'])
    await writeFile(join(client.project, 'Gemfile.lock'), lockText)
    const install = await client.bundle(['install'])
    expect(install.code, describeRun(install) + imported.output()).toBe(0)
    const loaded = await client.bundle(['exec', 'ruby', '-e', 'require "e2e-base"; print E2eBase::VERSION'])
    expect(loaded.stdout, describeRun(loaded)).toBe('1.0.0')
    // The .gem files bundler installed from are the ones built.
    const installed = await filesUnder(join(client.root, 'bundle-path'))
    for (const gem of [base, top]) {
      const cached = installed.filter((path) => path.endsWith(`/cache/${gem.filename}`))
      expect(cached, installed.join('\n')).toHaveLength(1)
      expect(sha256Hex(await readFile(cached[0]!)), gem.filename).toBe(gem.sha256)
    }
    const answered = imported.requests().slice(asked)
    expect(answered.filter((r) => r.path.endsWith('.gem') && r.status === 200 && r.cache === 'HIT')).toHaveLength(2)
    // The compact index past its TTL, the upstream dead: B serves its stored copy.
    const indexes = answered.filter((r) => !r.path.endsWith('.gem'))
    expect(indexes.length).toBeGreaterThan(0)
    expect(
      indexes.every((r) => r.status < 400 && r.cache === 'STALE'),
      JSON.stringify(answered),
    ).toBe(true)
    expect(fixture.requests).toEqual([])
    await imported.stop()
  })

  it('a CHECKSUMS digest that does not match the upstream gem fails prefetch, naming the gem', async () => {
    const wrong = join(await dir('wrong'), 'Gemfile.lock')
    await writeFile(wrong, withChecksums(lockText, { 'e2e-base (1.0.0)': '0'.repeat(64), 'e2e-top (1.0.0)': top.sha256 }))
    const prefetch = await larderCli(['prefetch', wrong], await dir('store-wrong'), { LARDER_GEMS_UPSTREAM: fixture.url })
    expect(prefetch.code, describeCli(prefetch)).toBe(1)
    expect(prefetch.stdout).toMatch(
      /not held \(1\):\n {2}gems e2e-base@1\.0\.0 .*\n {4}\/gems\/gems\/e2e-base-1\.0\.0\.gem: the bytes do not match the lockfile/,
    )
  })

  it('verify after one blob is deleted from the store fails, naming that gem', async () => {
    await rm(join(prefetched, 'store/blobs/sha256', top.sha256.slice(0, 2), top.sha256))
    const verify = await larderCli(['verify', lockfile], prefetched)
    expect(verify.code, describeCli(verify)).toBe(1)
    expect(verify.stdout).toMatch(/not held \(1\):\n {2}gems e2e-top@1\.0\.0 /)
  })
})
