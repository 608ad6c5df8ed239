/** gem and bundler install, push and resolve through Larder's RubyGems mirror: online, with the upstream down, and offline. */
import { createHash } from 'node:crypto'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildGem, makeTempDir, startGemsUpstreamFixture, type BuiltGem, type GemsUpstreamFixture, type TempDir } from '@larder/testkit'
import { startGemsLarder, type GemsLarder } from './gems-larder.js'
import { createRubySandbox, describeRun, type RubySandbox } from './ruby-clients.js'

const TOKEN = 'e2e-gems-token-1'
let base: BuiltGem
let top: BuiltGem
let own: BuiltGem
let fixture: GemsUpstreamFixture
let data: TempDir
let larder: GemsLarder
const sandboxes: RubySandbox[] = []

async function sandbox(): Promise<RubySandbox> {
  const created = await createRubySandbox()
  sandboxes.push(created)
  return created
}

async function startLarder(extra: Record<string, string> = {}): Promise<GemsLarder> {
  // TTL 0: every index request revalidates, so the runs below really meet the upstream (or its absence).
  return startGemsLarder(data.path, { LARDER_GEMS_UPSTREAM: fixture.url, LARDER_TOKENS: `ci=${TOKEN}:gems`, LARDER_INDEX_TTL_SECONDS: '0', ...extra })
}

beforeAll(async () => {
  base = await buildGem({ name: 'e2e-base', version: '1.0.0' })
  top = await buildGem({ name: 'e2e-top', version: '1.0.0', dependencies: { 'e2e-base': ['~> 1.0'] } })
  own = await buildGem({ name: 'e2e-private', version: '0.1.0', dependencies: { 'e2e-base': ['>= 1.0'] } })
  fixture = await startGemsUpstreamFixture({ gems: [base, top] })
  data = await makeTempDir('larder-e2e-gems-data-')
  larder = await startLarder()
})

afterAll(async () => {
  await larder?.stop()
  await Promise.all(sandboxes.map((s) => s.cleanup()))
  await fixture?.stop()
  await data?.cleanup()
})

async function expectGemInstall(client: RubySandbox, name: string, installed: string[]): Promise<void> {
  const result = await client.gem(['install', '--clear-sources', '--source', larder.source, '--no-document', name])
  expect(result.code, `${describeRun(result)}\n${larder.output()}`).toBe(0)
  const listed = await client.gem(['list', '--local'])
  for (const full of installed) expect(listed.stdout).toContain(full)
}

async function expectBundleInstall(client: RubySandbox, source: string, gems: string[], lockRemote: string): Promise<string> {
  await client.writeGemfile(source, gems)
  const result = await client.bundle(['install'])
  expect(result.code, `${describeRun(result)}\n${larder.output()}`).toBe(0)
  const lock = await readFile(join(client.project, 'Gemfile.lock'), 'utf8')
  expect(lock).toContain(`remote: ${lockRemote}`)
  expect(lock).toContain('e2e-base (1.0.0)')
  const loaded = await client.bundle(['exec', 'ruby', '-e', 'require "e2e-base"; print E2eBase::VERSION'])
  expect(loaded.stdout, describeRun(loaded)).toBe('1.0.0')
  return lock
}

describe('RubyGems through Larder', () => {
  it('gem install resolves a gem and its dependency, fetching each .gem from upstream once', async () => {
    await expectGemInstall(await sandbox(), 'e2e-top', ['e2e-top (1.0.0)', 'e2e-base (1.0.0)'])
    expect(fixture.hitCount(`/gems/${top.filename}`)).toBe(1)
    expect(fixture.hitCount(`/gems/${base.filename}`)).toBe(1)
  })

  it('gem push refuses a wrong key, publishes with the right one, and gem install takes the private gem beside mirrored ones', async () => {
    const client = await sandbox()
    const gemPath = join(client.root, own.filename)
    await writeFile(gemPath, own.bytes)
    const host = larder.source.replace(/\/$/, '')
    const refused = await client.gem(['push', '--host', host, gemPath], { GEM_HOST_API_KEY: 'not-the-key' })
    expect(refused.code, describeRun(refused)).not.toBe(0)
    expect(`${refused.stdout}${refused.stderr}`).toMatch(/needs a Larder token/)
    const pushed = await client.gem(['push', '--host', host, gemPath], { GEM_HOST_API_KEY: TOKEN })
    expect(pushed.code, describeRun(pushed)).toBe(0)
    expect(pushed.stdout).toContain('Successfully registered gem: e2e-private (0.1.0)')
    await expectGemInstall(client, 'e2e-private', ['e2e-private (0.1.0)', 'e2e-base (1.0.0)'])
    // Once: the first push asked whether the upstream has the name (a 404); installs never ask.
    expect(fixture.hitCount('/info/e2e-private')).toBe(1)
  })

  it('gem push of a gem named like one the upstream has is refused (409 naming LARDER_GEMS_PRIVATE_NAMES)', async () => {
    const client = await sandbox()
    const takeover = await buildGem({ name: 'e2e-base', version: '9.0.0' })
    const gemPath = join(client.root, takeover.filename)
    await writeFile(gemPath, takeover.bytes)
    const refused = await client.gem(['push', '--host', larder.source.replace(/\/$/, ''), gemPath], { GEM_HOST_API_KEY: TOKEN })
    expect(refused.code, describeRun(refused)).not.toBe(0)
    const output = `${refused.stdout}${refused.stderr}`
    expect(output).toContain(`e2e-base exists on the upstream registry ${new URL(fixture.url).origin}`)
    expect(output).toContain('List it in LARDER_GEMS_PRIVATE_NAMES to publish it anyway')
    expect(await (await fetch(`${larder.source}info/e2e-base`)).text()).not.toMatch(/^9\.0\.0 /m)
  })

  it('bundle install with Larder as the source resolves mirrored and private gems from the compact index', async () => {
    const seen = (await larder.requestPaths()).length
    await expectBundleInstall(await sandbox(), larder.source, ['e2e-top', 'e2e-private'], larder.source)
    const asked = (await larder.requestPaths()).slice(seen)
    expect(asked).toEqual(expect.arrayContaining(['/gems/versions', '/gems/info/e2e-top', '/gems/info/e2e-private', '/gems/info/e2e-base']))
    expect(asked.filter((p) => p.includes('specs.4.8') || p.includes('dependencies'))).toEqual([])
  })

  it('bundle config mirror keeps the canonical source in Gemfile.lock while every request goes to Larder', async () => {
    const client = await sandbox()
    const canonical = `${fixture.url}/`
    const set = await client.bundle(['config', 'set', '--local', `mirror.${canonical}`, larder.source])
    expect(set.code, describeRun(set)).toBe(0)
    const seen = fixture.requests.length
    const larderSeen = (await larder.requestPaths()).length
    await expectBundleInstall(client, canonical, ['e2e-top'], canonical)
    expect((await larder.requestPaths()).slice(larderSeen)).toEqual(expect.arrayContaining(['/gems/versions', `/gems/gems/${top.filename}`]))
    // Larder revalidated its index (TTL 0), but no client request reached the upstream directly.
    const direct = fixture.requests.slice(seen).filter((r) => !r.headers['via'])
    expect(direct.map((r) => r.path)).toEqual([])
  })

  it('serves a suffix range of /info/<gem> as bundler appends', async () => {
    const full = await fetch(`${larder.source}info/e2e-top`)
    const body = await full.text()
    const partial = await fetch(`${larder.source}info/e2e-top`, { headers: { range: 'bytes=4-' } })
    expect(partial.status).toBe(206)
    expect(await partial.text()).toBe(body.slice(4))
    expect(partial.headers.get('etag')).toBe(full.headers.get('etag'))
  })

  it('a second bundle run after an upstream release appends to its cached /versions with a 206 and stays consistent', async () => {
    const client = await sandbox()
    await expectBundleInstall(client, larder.source, ['e2e-top'], larder.source)
    // A prerelease: later runs keep resolving e2e-base 1.0.0, which the offline tests below need.
    await fixture.publish(await buildGem({ name: 'e2e-base', version: '1.1.0.pre' }))
    const seen = (await larder.requests()).length
    const updated = await client.bundle(['update'])
    expect(updated.code, `${describeRun(updated)}\n${larder.output()}`).toBe(0)
    const versionsAnswers = (await larder.requests()).slice(seen).filter((r) => r.path === '/gems/versions')
    expect(versionsAnswers.length).toBeGreaterThan(0)
    expect(versionsAnswers.map((r) => r.status)).toEqual(versionsAnswers.map(() => 206))
    // bundler's own copies, as Larder served them: each gem's last md5 is the md5 of its /info.
    const cacheRoot = join(client.root, 'bundle-home', 'cache', 'compact_index')
    const [slug] = await readdir(cacheRoot)
    const versions = await readFile(join(cacheRoot, slug!, 'versions'), 'utf8')
    expect(versions).toMatch(/^e2e-base 1\.1\.0\.pre [0-9a-f]{32}$/m)
    for (const name of ['e2e-base', 'e2e-top']) {
      const lastMd5 = versions
        .split('\n')
        .filter((l) => l.startsWith(`${name} `))
        .pop()
        ?.split(' ')
        .pop()
      const info = await readFile(join(cacheRoot, slug!, 'info', name))
      expect(lastMd5, name).toBe(createHash('md5').update(info).digest('hex'))
    }
  })

  it('with the upstream down, empty client caches still install everything that passed through', async () => {
    await fixture.setFault('refuse')
    await expectGemInstall(await sandbox(), 'e2e-top', ['e2e-top (1.0.0)', 'e2e-base (1.0.0)'])
    await expectGemInstall(await sandbox(), 'e2e-private', ['e2e-private (0.1.0)'])
    await expectBundleInstall(await sandbox(), larder.source, ['e2e-top', 'e2e-private'], larder.source)
    const mirrored = await sandbox()
    await mirrored.bundle(['config', 'set', '--local', `mirror.${fixture.url}/`, larder.source])
    await expectBundleInstall(mirrored, `${fixture.url}/`, ['e2e-top'], `${fixture.url}/`)
  })

  it('with LARDER_OFFLINE=1, the same installs succeed from the store alone', async () => {
    await larder.stop()
    larder = await startLarder({ LARDER_OFFLINE: '1' })
    await expectGemInstall(await sandbox(), 'e2e-top', ['e2e-top (1.0.0)', 'e2e-base (1.0.0)'])
    await expectBundleInstall(await sandbox(), larder.source, ['e2e-top', 'e2e-private'], larder.source)
  })
})
