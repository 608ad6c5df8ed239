/** Thousands of hostile paths across every mirror prefix, with every upstream live: no 5xx, no file outside the data folder, no canary served. */
import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { readdir, rm, writeFile } from 'node:fs/promises'
import { Agent, request } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  makeTempDir,
  packNpmPackage,
  startAptUpstreamFixture,
  startComposerMetadataFixture,
  startGemsUpstreamFixture,
  startNpmRegistryFixture,
  startPypiIndexFixture,
  type TempDir,
} from '@larder/testkit'
import { REPO_ROOT, startLarder, type LarderServer } from '../support/larder-process.js'
import { FUZZ_MARKER, hostilePaths } from './hostile-paths.js'

const CONCURRENCY = 16
/** Enough of each body to spot a canary or /etc/passwd in it. */
const BODY_SAMPLE_BYTES = 64 * 1024

const stops: Array<() => Promise<void>> = []
let work: TempDir
let larder: LarderServer
const canaryName = `canary-${randomUUID()}.txt`
const canaryText = `CANARY-${randomUUID()}`

beforeAll(async () => {
  work = await makeTempDir('larder-e2e-fuzz-')
  await writeFile(join(work.path, canaryName), canaryText)
  const npm = await startNpmRegistryFixture({ packages: [await packNpmPackage({ name: 'pkg', version: '1.0.0' })] })
  const pypi = await startPypiIndexFixture({ format: 'json' })
  const composer = await startComposerMetadataFixture()
  const gems = await startGemsUpstreamFixture()
  const apt = await startAptUpstreamFixture()
  stops.push(
    () => npm.stop(),
    () => pypi.stop(),
    () => composer.stop(),
    () => gems.stop(),
    () => apt.stop(),
  )
  larder = await startLarder({
    dataDir: join(work.path, 'data'),
    readyTimeoutMs: 120_000,
    env: {
      LARDER_NPM_UPSTREAM: npm.url,
      LARDER_PYPI_UPSTREAM: pypi.simpleUrl,
      LARDER_COMPOSER_UPSTREAM: composer.url,
      LARDER_GEMS_UPSTREAM: gems.url,
      LARDER_APT_UPSTREAMS: `debian=${apt.url}`,
      // The fixture, not Debian's keyring (the default for the name debian), signs this archive.
      LARDER_APT_KEYRINGS: `debian=${apt.key.keyringPath}`,
    },
  })
}, 300_000)

afterAll(async () => {
  await larder?.stop()
  for (const stop of stops) await stop()
  await work?.cleanup()
})

interface Answer {
  path: string
  status: number
  body: string
  nosniff: boolean
}

function send(agent: Agent, path: string): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port: larder.port, path, agent }, (res) => {
      let body = ''
      res.setEncoding('latin1')
      res.on('data', (chunk: string) => {
        if (body.length < BODY_SAMPLE_BYTES) body += chunk
      })
      const nosniff = res.headers['x-content-type-options'] === 'nosniff'
      res.on('end', () => resolve({ path, status: res.statusCode ?? 0, body, nosniff }))
      res.on('error', () => resolve({ path, status: -1, body, nosniff }))
    })
    // A reset is not a 5xx, but it is not an answer either: reported as -1.
    req.on('error', () => resolve({ path, status: -1, body: '', nosniff: false }))
    req.end()
  })
}

async function sendAll(paths: string[]): Promise<Answer[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  const answers: Answer[] = []
  let next = 0
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < paths.length) answers.push(await send(agent, paths[next++]!))
    }),
  )
  agent.destroy()
  return answers
}

/** Files named after the marker anywhere a traversal could have written (find exits non-zero on unreadable folders: stdout counts). */
function markerFiles(): string[] {
  const roots = ['/tmp', '/var/tmp', '/etc', '/root', work.path, REPO_ROOT]
  const found = spawnSync('find', [...roots, '-xdev', '-path', join(REPO_ROOT, 'node_modules'), '-prune', '-o', '-name', `*${FUZZ_MARKER}*`, '-print'], {
    encoding: 'utf8',
  })
  return [...new Set(found.stdout.split('\n').filter(Boolean))]
}

describe('hostile paths', () => {
  it('never answer 5xx, never serve the canary or a system file, and never write outside the data folder', async () => {
    const paths = hostilePaths(canaryName)
    expect(paths.length).toBeGreaterThanOrEqual(2000)
    // The check itself must see a file when there is one.
    const planted = join(work.path, `planted-${FUZZ_MARKER}`)
    await writeFile(planted, 'x')
    expect(markerFiles()).toEqual([planted])
    await rm(planted)
    const before = (await readdir(work.path)).sort()
    const answers = await sendAll(paths)
    expect(answers).toHaveLength(paths.length)

    const serverErrors = answers.filter((a) => a.status >= 500 || a.status === -1).map((a) => `${a.status} ${a.path.slice(0, 120)}`)
    expect(serverErrors.slice(0, 20), `${serverErrors.length} answers were 5xx or resets`).toEqual([])
    expect(
      answers
        .filter((a) => !a.nosniff)
        .map((a) => `${a.status} ${a.path.slice(0, 120)}`)
        .slice(0, 20),
    ).toEqual([])
    const leaks = answers.filter((a) => a.body.includes(canaryText) || a.body.includes('root:x:0:0')).map((a) => a.path)
    expect(leaks).toEqual([])
    // Refusals, not successes: a hostile path names nothing Larder holds.
    expect(answers.filter((a) => a.status === 200 && a.path.includes(canaryName)).map((a) => a.path)).toEqual([])

    expect((await readdir(work.path)).sort()).toEqual(before)
    expect(markerFiles()).toEqual([])
    expect((await fetch(`${larder.url}/healthz`)).status).toBe(200)
  })
})
