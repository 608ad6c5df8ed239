/**
 * The rebuild guarantee for pnpm: the real pnpm writes pnpm-lock.yaml through Larder A; `larder
 * prefetch` fills a fresh store, `larder verify` passes, and the real `pnpm install --frozen-lockfile`
 * with an empty store installs from a Larder on that store with LARDER_OFFLINE=1, and from a Larder
 * with a dead upstream that imported the lockfile's export.
 */
import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LEFT_MISMATCH, startNpmFamily, WRONG_INTEGRITY, type Install, type LockedProject, type NpmFamily } from './npm-family.js'

let family: NpmFamily
let app: LockedProject
const frozenInstall: Install = () => family.clients.pnpm(['install', '--frozen-lockfile'], { cwd: app.project })

beforeAll(async () => {
  family = await startNpmFamily('pnpm')
  app = await family.lock('app', 'pnpm-lock.yaml', (cwd) => family.clients.pnpm(['install'], { cwd }))
})

afterAll(() => family?.stop())

describe('larder prefetch and verify of a pnpm-lock.yaml pnpm wrote', () => {
  it('prefetch in this process holds every package in a fresh store; verify then passes', async () => {
    const text = await readFile(app.lockfile, 'utf8')
    expect(text).toMatch(/^lockfileVersion: '9\.0'$/m)
    expect(text).toContain(`e2e-left@1.0.0:\n    resolution: {integrity: ${family.graph.left.integrity}}`)
    await family.prefetchAndVerify(app, ['sha512'])
  })

  it('the real pnpm install --frozen-lockfile with an empty store installs from a Larder on the prefetched store with LARDER_OFFLINE=1', async () => {
    // On A's port, where pnpm's registry setting points.
    await family.installOffline(app, frozenInstall)
  })

  it('export bundles what pnpm-lock.yaml needs; pnpm install --frozen-lockfile installs from a running Larder with a dead upstream that imported it', async () => {
    await family.rebuildFromImport(app, frozenInstall)
  })

  it('a lockfile integrity that does not match the upstream bytes fails prefetch, naming the package', async () => {
    const text = (await readFile(app.lockfile, 'utf8')).replace(family.graph.left.integrity, WRONG_INTEGRITY)
    expect(text).toContain(WRONG_INTEGRITY)
    expect(await family.prefetchFails('tampered', 'pnpm-lock.yaml', text)).toMatch(LEFT_MISMATCH)
  })
})
