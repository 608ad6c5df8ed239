/**
 * The rebuild guarantee for yarn: the real yarn classic and yarn berry write yarn.lock through Larder A;
 * `larder prefetch` fills a fresh store, `larder verify` passes, and the real `yarn install
 * --frozen-lockfile` (classic) and `yarn install --immutable` (berry) with empty caches install from a
 * Larder on that store with LARDER_OFFLINE=1, and from a Larder with a dead upstream that imported its export.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { run, type RunResult } from '@larder/testkit'
import { DEFAULT_CLIENT_TIMEOUT_MS } from '../support/clients.js'
import { REPO_ROOT } from '../support/larder-process.js'
import { LEFT_MISMATCH, startNpmFamily, WRONG_INTEGRITY, type Install, type LockedProject, type NpmFamily } from './npm-family.js'

const BERRY_BIN = join(REPO_ROOT, 'node_modules/@yarnpkg/cli-dist/bin/yarn.js')

let family: NpmFamily
let classic: LockedProject
let berry: LockedProject
const classicInstall: Install = () => family.clients.yarn(['install', '--frozen-lockfile'], { cwd: classic.project })
const berryInstall: Install = (registry) => runBerry(['install', '--immutable'], berry.project, registry)

/**
 * yarn berry (4) in the sandbox's HOME, its settings in the project's .yarnrc.yml: the registry (plain
 * http allowed), versions published a moment ago not held back, and only the sandbox's yarn cache.
 */
async function runBerry(args: readonly string[], cwd: string, registry: string): Promise<RunResult> {
  const { clients } = family
  const settings = {
    npmRegistryServer: registry,
    unsafeHttpWhitelist: ['127.0.0.1'],
    npmMinimalAgeGate: 0,
    enableTelemetry: false,
    enableGlobalCache: false,
    enableMirror: false,
    nodeLinker: 'node-modules',
    cacheFolder: join(clients.caches.yarn, 'berry'),
    globalFolder: join(clients.caches.yarn, 'berry-global'),
  }
  const rc = Object.entries(settings).map(([key, value]) => `${key}: ${JSON.stringify(value)}\n`)
  await writeFile(join(cwd, '.yarnrc.yml'), rc.join(''))
  const env = { HOME: clients.home, XDG_CONFIG_HOME: join(clients.home, '.config'), CI: undefined }
  return run(process.execPath, [BERRY_BIN, ...args], { cwd, env, timeoutMs: DEFAULT_CLIENT_TIMEOUT_MS })
}

beforeAll(async () => {
  family = await startNpmFamily('yarn')
  classic = await family.lock('classic', 'yarn.lock', (cwd) => family.clients.yarn(['install'], { cwd }))
  berry = await family.lock('berry', 'yarn.lock', async (cwd) => {
    // An empty yarn.lock marks berry's project root, so it looks no further up.
    await writeFile(join(cwd, 'yarn.lock'), '')
    return runBerry(['install'], cwd, family.larderA.npmRegistry)
  })
})

afterAll(() => family?.stop())

describe('larder prefetch and verify of a yarn.lock yarn classic wrote', () => {
  it('prefetch in this process holds every package in a fresh store; verify then passes, on the sha512 and the sha1 yarn locked', async () => {
    const text = await readFile(classic.lockfile, 'utf8')
    expect(text).toContain(`resolved "${family.larderA.npmRegistry}e2e-left/-/e2e-left-1.0.0.tgz#${family.graph.left.shasum}"`)
    await family.prefetchAndVerify(classic, ['sha512', 'sha1'])
  })

  it('a lockfile integrity that does not match the upstream bytes fails prefetch, naming the package', async () => {
    const text = (await readFile(classic.lockfile, 'utf8')).replace(family.graph.left.integrity, WRONG_INTEGRITY)
    expect(text).toContain(WRONG_INTEGRITY)
    expect(await family.prefetchFails('tampered-classic', 'yarn.lock', text)).toMatch(LEFT_MISMATCH)
  })
})

describe('larder prefetch and verify of a yarn.lock yarn berry wrote', () => {
  it('prefetch in this process holds every package in a fresh store; verify then passes, on presence alone (berry locks no tarball digest)', async () => {
    const text = await readFile(berry.lockfile, 'utf8')
    expect(text).toMatch(/^__metadata:$/m)
    expect(text).toContain('resolution: "e2e-left@npm:1.0.0"')
    await family.prefetchAndVerify(berry, [])
  })

  it('a resolution the registry does not have fails prefetch, naming the package', async () => {
    const text = (await readFile(berry.lockfile, 'utf8')).replace('resolution: "e2e-left@npm:1.0.0"', 'resolution: "e2e-left@npm:1.0.9"')
    expect(await family.prefetchFails('missing-berry', 'yarn.lock', text)).toMatch(
      /not held \(1\):\n {2}npm e2e-left@1\.0\.9 .*\n {4}\/npm\/e2e-left\/-\/e2e-left-1\.0\.9\.tgz: /,
    )
  })
})

describe('installs from a Larder on the prefetched store with LARDER_OFFLINE=1', () => {
  // A is gone: the offline Larder takes its port, where classic's resolved URLs point.
  it('the real yarn classic install --frozen-lockfile with an empty cache', async () => {
    await family.installOffline(classic, classicInstall)
  })

  it('the real yarn berry install --immutable with an empty cache', async () => {
    await family.installOffline(berry, berryInstall)
  })
})

describe('installs from a running Larder with a dead upstream that imported the export of the yarn.lock', () => {
  it('the real yarn classic install --frozen-lockfile with an empty cache', async () => {
    await family.rebuildFromImport(classic, classicInstall)
  })

  it('the real yarn berry install --immutable with an empty cache', async () => {
    await family.rebuildFromImport(berry, berryInstall)
  })
})
