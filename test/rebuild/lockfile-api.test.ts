/** POST /-/api/prefetch and /-/api/verify: a CI job on another host sends its lockfile with curl and reads NDJSON progress and the report. */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, packNpmPackage, startNpmRegistryFixture, type NpmRegistryFixture, type PackedPackage, type TempDir } from '@larder/testkit'
import { curl, describeCurl } from '../files/curl.js'
import { startLarder, type LarderServer } from '../support/larder-process.js'

const TOKEN = 'e2e-api-token-1'
let registry: NpmRegistryFixture
let larder: LarderServer
let work: TempDir
let lockfile: string
const packages: PackedPackage[] = []

interface Line {
  progress?: { itemsDone: number; itemsTotal: number; bytes: number }
  result?: { command: string; ok: boolean; totals: { packages: number; held: number }; lockfiles: { packages: { files: { cache?: string }[] }[] }[] }
  error?: { message: string }
}

/** `token` null sends none. */
async function post(command: 'prefetch' | 'verify', file = lockfile, query = 'name=package-lock.json', token: string | null = TOKEN) {
  const auth = token ? ['-H', `Authorization: Bearer ${token}`] : []
  const result = await curl(work.path, ['-X', 'POST', ...auth, '--data-binary', `@${file}`, `${larder.url}/-/api/${command}?${query}`])
  const lines =
    result.status === 200
      ? (result.body
          .toString('utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l)) as Line[])
      : []
  return { ...result, lines, result: lines.at(-1)?.result }
}

beforeAll(async () => {
  for (const [name, version] of [
    ['api-left', '1.0.0'],
    ['api-right', '2.1.0'],
  ] as const)
    packages.push(await packNpmPackage({ name, version }))
  registry = await startNpmRegistryFixture({ packages })
  work = await makeTempDir('larder-e2e-api-')
  larder = await startLarder({ env: { LARDER_NPM_UPSTREAM: registry.url, LARDER_TOKENS: `ci=${TOKEN}:npm` } })
  lockfile = join(work.path, 'package-lock.json')
  const entries = Object.fromEntries(
    packages.map((p) => [`node_modules/${p.name}`, { version: p.version, resolved: `${registry.url}/${p.name}/-/${p.filename}`, integrity: p.integrity }]),
  )
  await writeFile(lockfile, JSON.stringify({ lockfileVersion: 3, packages: { '': {}, ...entries } }))
})

afterAll(async () => {
  await larder?.stop()
  await registry?.stop()
  await work?.cleanup()
})

describe('the larder command over HTTP', () => {
  it('needs a token, a file name and a lockfile it can read, each refused with a clear 4xx', async () => {
    expect((await post('prefetch', lockfile, 'name=package-lock.json', null)).status).toBe(401)
    expect((await post('prefetch', lockfile, 'name=../../etc/passwd')).status).toBe(400)
    const junk = join(work.path, 'junk.lock')
    await writeFile(junk, 'not a lockfile\u0000')
    const refused = await post('prefetch', junk, 'name=junk.lock')
    expect(refused.status).toBe(400)
    expect(JSON.parse(refused.body.toString()).error).toMatch(/not a lockfile larder knows/)
  })

  it('verify of what is not held ends with ok false; prefetch streams progress, then holds both; verify passes with the upstream gone', async () => {
    const before = await post('verify')
    expect(before.status, describeCurl(before)).toBe(200)
    expect(before.result).toMatchObject({ command: 'verify', ok: false })
    expect(registry.hitCount(`/api-left/-/${packages[0]!.filename}`)).toBe(0)

    const prefetch = await post('prefetch')
    expect(prefetch.status, describeCurl(prefetch)).toBe(200)
    expect(prefetch.headers['content-type']).toMatch(/application\/x-ndjson/)
    const progress = prefetch.lines.filter((l) => l.progress).map((l) => l.progress!)
    expect(progress.at(-1)).toMatchObject({ itemsDone: 2, itemsTotal: 2 })
    expect(prefetch.result).toMatchObject({ command: 'prefetch', ok: true, totals: { packages: 2, held: 2 } })
    expect(registry.hitCount(`/api-left/-/${packages[0]!.filename}`)).toBe(1)

    await registry.stop()
    const verify = await post('verify')
    expect(verify.result, verify.body.toString()).toMatchObject({ command: 'verify', ok: true, totals: { packages: 2, held: 2 } })
    const caches = verify.result!.lockfiles[0]!.packages.flatMap((p) => p.files.map((f) => f.cache))
    expect(caches).toEqual(['OFFLINE', 'OFFLINE'])
    // One log line per request, as for every other endpoint.
    expect((await larder.requests()).filter((r) => r.path.startsWith('/-/api/'))).toHaveLength(6)
  })
})
