/** The command in-process: usage errors and help, then prefetch and verify over a real store and a fixture registry. */
import { existsSync } from 'node:fs'
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, packNpmPackage, startNpmRegistryFixture, type NpmRegistryFixture, type PackedPackage, type TempDir } from '@larder/testkit'
import { runCli } from './run-cli.js'
import { TEST_MIRRORS } from './test-mirrors.harness.js'

let registry: NpmRegistryFixture
let work: TempDir
let pkg: PackedPackage
let lockfile: string

/** Runs the command in this process with its own environment and captured output. */
async function larder(args: string[], env: Record<string, string> = {}) {
  let stdout = ''
  let stderr = ''
  const code = await runCli(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { LARDER_DATA_DIR: join(work.path, 'data'), LARDER_NPM_UPSTREAM: registry.url, LARDER_UPSTREAM_RETRIES: '0', ...env },
    mirrors: async () => TEST_MIRRORS,
  })
  return { code, stdout, stderr }
}

beforeAll(async () => {
  pkg = await packNpmPackage({ name: 'cli-pkg', version: '1.0.0' })
  registry = await startNpmRegistryFixture({ packages: [pkg] })
  work = await makeTempDir('larder-cli-run-')
  lockfile = join(work.path, 'package-lock.json')
  const entry = { version: '1.0.0', resolved: `${registry.url}/cli-pkg/-/${pkg.filename}`, integrity: pkg.integrity }
  await writeFile(lockfile, JSON.stringify({ lockfileVersion: 3, packages: { '': {}, 'node_modules/cli-pkg': entry } }))
})

afterAll(async () => {
  await registry?.stop()
  await work?.cleanup()
})

describe('larder usage', () => {
  it('prints help for the command and each subcommand with exit 0; no command is a usage error', async () => {
    expect(await larder(['--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: larder <command>') })
    expect(await larder(['prefetch', '--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('--server URL') })
    expect(await larder(['help', 'verify'])).toMatchObject({ code: 0, stdout: expect.stringContaining('LARDER_OFFLINE=1 forced') })
    expect((await larder([])).code).toBe(2)
  })

  it.each([
    [['frobnicate'], /no command "frobnicate"/],
    [['prefetch'], /needs at least one lockfile/],
    [['prefetch', '--bogus', 'x'], /Unknown option '--bogus'/],
    [['prefetch', '--concurrency', '0', 'x'], /--concurrency must be/],
    [['verify', '--server', 'http://x', 'x'], /--server and --token are for prefetch/],
    [['prefetch', 'missing/package-lock.json'], /cannot read missing\/package-lock.json: ENOENT/],
  ])('%j is a usage error (exit 2) with a message', async (args, message) => {
    const result = await larder(args)
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(message)
  })

  it('names the formats it reads when a file is none of them', async () => {
    const unknown = join(work.path, 'deps.lock')
    await writeFile(unknown, '<deps><dep name="x"/></deps>\n')
    expect(await larder(['prefetch', unknown])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/not a lockfile larder knows \(supported: package-lock.json/),
    })
  })

  it('a bad server setting is reported as the server would report it', async () => {
    expect(await larder(['prefetch', lockfile], { LARDER_INDEX_TTL_SECONDS: 'soon' })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/cannot open the store: LARDER_INDEX_TTL_SECONDS/),
    })
  })
})

describe('prefetch and verify in this process', () => {
  it('verify of an empty store fails, prefetch holds the package, verify then passes with no upstream', async () => {
    const before = await larder(['verify', '--json', lockfile])
    expect(before.code).toBe(1)
    expect(JSON.parse(before.stdout).lockfiles[0].packages[0].errors).toEqual([
      expect.stringMatching(/E_OFFLINE_MISS/),
      expect.stringMatching(/E_OFFLINE_MISS/),
    ])
    expect(registry.hitCount(`/cli-pkg/-/${pkg.filename}`)).toBe(0)

    const prefetch = await larder(['prefetch', lockfile])
    expect(prefetch.code, prefetch.stdout + prefetch.stderr).toBe(0)
    expect(prefetch.stdout).toMatch(/all 1 packages held and verified/)
    expect(registry.hitCount(`/cli-pkg/-/${pkg.filename}`)).toBe(1)

    const verify = await larder(['verify', '--json', lockfile], { LARDER_NPM_UPSTREAM: 'http://127.0.0.1:9' })
    expect(verify.code, verify.stdout).toBe(0)
    const report = JSON.parse(verify.stdout)
    expect(report).toMatchObject({ command: 'verify', ok: true, totals: { packages: 1, held: 1, files: 1, documents: 1 } })
    expect(report.lockfiles[0].packages[0].files[0]).toMatchObject({ ok: true, cache: 'OFFLINE', verified: ['sha512'], bytes: pkg.tarball.length })
    expect(registry.hitCount(`/cli-pkg/-/${pkg.filename}`)).toBe(1)
  })

  it('prefetch pins the lockfile (the packument and the tarball entry), once however often it runs; pins remove drops it', async () => {
    expect((await larder(['prefetch', lockfile])).code).toBe(0)
    const listed = await larder(['pins', 'list', '--json'])
    expect(listed.code, listed.stderr).toBe(0)
    const pins = JSON.parse(listed.stdout) as { id: string; by: string; source: string; entries: number }[]
    expect(pins).toEqual([expect.objectContaining({ by: 'prefetch', source: lockfile, id: expect.stringMatching(/^package-lock\.json-[0-9a-f]{12}$/) })])
    // The packument's entry and the tarball's: what an install from this lockfile reads.
    expect(pins[0]!.entries).toBe(2)
    expect((await larder(['pins', 'list'])).stdout).toContain(pins[0]!.id)
    expect(await larder(['pins', 'remove', 'no-such-pin'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/no pin no-such-pin/) })
    expect((await larder(['pins', 'remove', pins[0]!.id])).code).toBe(0)
    expect(JSON.parse((await larder(['pins', 'list', '--json'])).stdout)).toEqual([])
    expect((await larder(['pins', 'frobnicate'])).code).toBe(2)
  })

  it('export bundles what the lockfile needs; one whose digest the stored bytes do not match is refused as the bundle is written', async () => {
    const offline = { LARDER_NPM_UPSTREAM: 'http://127.0.0.1:9' }
    const out = join(work.path, 'bundle.tar')
    const exported = await larder(['export', '--json', '--out', out, lockfile], offline)
    expect(exported.code, exported.stderr).toBe(0)
    expect(JSON.parse(exported.stdout)).toMatchObject({ out, entries: 2, zstd: false })
    expect(existsSync(out)).toBe(true)

    // Held (so verify's presence pass lets it through), but not the bytes this lockfile names.
    const otherLockfile = join(work.path, 'other', 'package-lock.json')
    const other = { version: '1.0.0', resolved: `${registry.url}/cli-pkg/-/${pkg.filename}`, integrity: `sha512-${Buffer.alloc(64).toString('base64')}` }
    await rm(join(work.path, 'other'), { recursive: true, force: true })
    await mkdir(join(work.path, 'other'))
    await writeFile(otherLockfile, JSON.stringify({ lockfileVersion: 3, packages: { '': {}, 'node_modules/cli-pkg': other } }))
    const refusedOut = join(work.path, 'other', 'bundle.tar')
    const refused = await larder(['export', '--out', refusedOut, otherLockfile], offline)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/export refused: \S+cli-pkg-1\.0\.0\.tgz: the bytes do not match the lockfile: got sha512:/)
    expect(await readdir(join(work.path, 'other'))).toEqual(['package-lock.json'])
  })

  it('verify fails, naming the package, once the blob is gone from the store', async () => {
    const blobs = join(work.path, 'data/store/blobs/sha256')
    for (const dir of await readdir(blobs)) await rm(join(blobs, dir), { recursive: true })
    const verify = await larder(['verify', lockfile])
    expect(verify.code).toBe(1)
    expect(verify.stdout).toMatch(/not held \(1\):\n {2}npm cli-pkg@1\.0\.0/)
  })
})
