/**
 * The rebuild guarantee for Bundler: the real bundler writes Gemfile.lock through Larder A; `larder
 * prefetch` fills a fresh store, `larder verify` passes (also with a Bundler 2.5 CHECKSUMS section),
 * and the real `bundle install` with empty gem dirs installs from a Larder on that store with LARDER_OFFLINE=1.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildGem, startGemsUpstreamFixture, type BuiltGem, type GemsUpstreamFixture } from '@larder/testkit'
import { createRubySandbox, describeRun, type RubySandbox } from '../gems/ruby-clients.js'
import { startLarder, type LarderServer } from '../support/larder-process.js'
import { makeWorkDir, type WorkDir } from '../support/work-dir.js'
import { exportAndCheck, filesUnder, importWhileServing, sha256Hex } from './bundle-steps.js'
import { describeCli, larderCli, verifyWithoutBlob } from './larder-cli.js'
import { startDeadUpstreamLarder, startOfflineLarder } from './store-larders.js'

let base: BuiltGem
let top: BuiltGem
let fixture: GemsUpstreamFixture
let larderA: LarderServer
let work: WorkDir
let lockText: string
let lockfile: string
let prefetched: string
const sandboxes: RubySandbox[] = []
const servers: LarderServer[] = []

const source = (server: LarderServer) => `${server.url}/gems/`
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

/** bundle install of the locked Gemfile from `server` in a fresh sandbox (empty gem dirs): exit 0, and e2e-base loads. */
async function installFrom(server: LarderServer): Promise<RubySandbox> {
  const client = await sandbox()
  await client.writeGemfile(source(server), ['e2e-top'])
  await writeFile(join(client.project, 'Gemfile.lock'), lockText)
  const install = await client.bundle(['install'])
  expect(install.code, describeRun(install) + server.output()).toBe(0)
  const loaded = await client.bundle(['exec', 'ruby', '-e', 'require "e2e-base"; print E2eBase::VERSION'])
  expect(loaded.stdout, describeRun(loaded)).toBe('1.0.0')
  return client
}

beforeAll(async () => {
  base = await buildGem({ name: 'e2e-base', version: '1.0.0' })
  top = await buildGem({ name: 'e2e-top', version: '1.0.0', dependencies: { 'e2e-base': ['~> 1.0'] } })
  fixture = await startGemsUpstreamFixture({ gems: [base, top] })
  larderA = await startLarder({ env: { LARDER_GEMS_UPSTREAM: fixture.url } })
  work = await makeWorkDir('larder-e2e-rebuild-gems-')
  const client = await sandbox()
  await client.writeGemfile(source(larderA), ['e2e-top'])
  const install = await client.bundle(['install'])
  if (install.code !== 0) throw new Error(describeRun(install))
  lockText = await readFile(join(client.project, 'Gemfile.lock'), 'utf8')
  lockfile = join(await work.dir('project'), 'Gemfile.lock')
  await writeFile(lockfile, lockText)
  prefetched = await work.dir('store-prefetched')
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
    const checked = join(await work.dir('checksums'), 'Gemfile.lock')
    await writeFile(checked, withChecksums(lockText, { 'e2e-base (1.0.0)': base.sha256, 'e2e-top (1.0.0)': top.sha256 }))
    const verify = await larderCli(['verify', '--json', lockfile, checked], prefetched)
    expect(verify.code, describeCli(verify)).toBe(0)
    const report = JSON.parse(verify.stdout)
    expect(report.lockfiles[1].format).toBe('Gemfile.lock (with CHECKSUMS)')
    expect(report.lockfiles[1].packages.map((p: { files: { verified: string[] }[] }) => p.files[0]!.verified)).toEqual([['sha256'], ['sha256']])
    expect(report.totals.documents).toBe(3)
  })

  it('the real bundle install with empty gem dirs installs from a Larder on the prefetched store with LARDER_OFFLINE=1', async () => {
    // On A's port, the lockfile's remote.
    const offline = await startOfflineLarder(prefetched, 'LARDER_GEMS_UPSTREAM', { replacing: larderA })
    servers.push(offline)
    await installFrom(offline)
    expect((await offline.requests()).filter((r) => r.path.endsWith('.gem') && r.status === 200 && r.cache === 'OFFLINE')).toHaveLength(2)
    await offline.stop()
  })

  it('export bundles what Gemfile.lock needs (zstd by its name); bundle install installs from a running Larder with a dead upstream that imported it', async () => {
    const bundle = join(await work.dir('bundle'), 'bundle.tar.zst')
    const names = [base, top].map((gem) => ({ purl: `pkg:gem/${gem.name}@${gem.version}`, sha256: [gem.sha256] }))
    const { manifest } = await exportAndCheck([lockfile], prefetched, { out: bundle, into: await work.dir('bundle-extracted') }, names, { zstd: true })

    // B: on A's port (the lockfile's remote), a fresh store, an upstream nobody listens on (index TTL 0, so it asks it); running before the import.
    const imported = await startDeadUpstreamLarder(await work.dir('store-imported'), 'LARDER_GEMS_UPSTREAM', { replacing: larderA })
    servers.push(imported)
    // Until the import B cannot serve e2e-base's gem.
    const asked = await importWhileServing(imported, bundle, manifest, `${source(imported)}gems/${base.filename}`, base.bytes)
    fixture.resetHits()
    const client = await installFrom(imported)
    // The .gem files bundler installed from are the ones built.
    const installed = await filesUnder(join(client.root, 'bundle-path'))
    for (const gem of [base, top]) {
      const cached = installed.filter((path) => path.endsWith(`/cache/${gem.filename}`))
      expect(cached, installed.join('\n')).toHaveLength(1)
      expect(sha256Hex(await readFile(cached[0]!)), gem.filename).toBe(gem.sha256)
    }
    const answered = (await imported.requests()).slice(asked)
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
    const wrong = join(await work.dir('wrong'), 'Gemfile.lock')
    await writeFile(wrong, withChecksums(lockText, { 'e2e-base (1.0.0)': '0'.repeat(64), 'e2e-top (1.0.0)': top.sha256 }))
    const prefetch = await larderCli(['prefetch', wrong], await work.dir('store-wrong'), { LARDER_GEMS_UPSTREAM: fixture.url })
    expect(prefetch.code, describeCli(prefetch)).toBe(1)
    expect(prefetch.stdout).toMatch(
      /not held \(1\):\n {2}gems e2e-base@1\.0\.0 .*\n {4}\/gems\/gems\/e2e-base-1\.0\.0\.gem: the bytes do not match the lockfile/,
    )
  })

  it('verify after one blob is deleted from the store fails, naming that gem', async () => {
    expect(await verifyWithoutBlob(prefetched, top.sha256, lockfile)).toMatch(/not held \(1\):\n {2}gems e2e-top@1\.0\.0 /)
  })
})
