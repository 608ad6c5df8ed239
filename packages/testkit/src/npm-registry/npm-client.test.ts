import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prepareIsolatedNpmEnv } from '../npm-pack/npm-env.js'
import { packNpmPackage } from '../npm-pack/npm-pack.js'
import { run } from '../process/run.js'
import { makeTempDir, type TempDir } from '../temp/temp-dir.js'
import { startNpmRegistryFixture, type NpmRegistryFixture } from './npm-registry-fixture.js'

// The real npm client against the fixture: proof that the fixture is realistic enough for clients.
let registry: NpmRegistryFixture
let project: TempDir

beforeAll(async () => {
  const packages = await Promise.all([
    packNpmPackage({ name: 'fixture-app', version: '1.2.0', dependencies: { '@fixture/util': '^1.0.0' }, bin: { 'fixture-app': 'cli.js' } }),
    packNpmPackage({ name: '@fixture/util', version: '1.0.0', files: { 'index.js': 'module.exports = "util 1.0.0"\n' } }),
    packNpmPackage({ name: '@fixture/util', version: '1.4.0', files: { 'index.js': 'module.exports = "util 1.4.0"\n' } }),
    packNpmPackage({ name: '@fixture/util', version: '2.0.0' }),
  ])
  registry = await startNpmRegistryFixture({ packages })
  project = await makeTempDir('larder-npm-client-')
}, 60_000)
afterAll(async () => {
  await registry.stop()
  await project.cleanup()
})

describe('real npm client against the registry fixture', () => {
  it('npm install resolves, downloads and verifies packages from the fixture', async () => {
    const app = join(project.path, 'app')
    await mkdir(app)
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }))
    const env = await prepareIsolatedNpmEnv(project.path)

    const result = await run('npm', ['install', '--registry', `${registry.url}/`, '--no-audit', '--no-fund', 'fixture-app'], {
      cwd: app,
      env,
      timeoutMs: 120_000,
    })
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0)

    const modules = join(app, 'node_modules')
    expect(JSON.parse(await readFile(join(modules, 'fixture-app/package.json'), 'utf8')).version).toBe('1.2.0')
    expect(await readFile(join(modules, '@fixture/util/index.js'), 'utf8')).toBe('module.exports = "util 1.4.0"\n')
    expect(existsSync(join(modules, '.bin/fixture-app'))).toBe(true)
    const lock = JSON.parse(await readFile(join(app, 'package-lock.json'), 'utf8'))
    expect(lock.packages['node_modules/@fixture/util'].resolved).toBe(`${registry.url}/@fixture/util/-/util-1.4.0.tgz`)

    // npm 11 asks for full documents (Accept: application/json); older clients ask for install-v1.
    expect(registry.hitCount('/fixture-app')).toBe(1)
    expect(registry.hitCount('/@fixture%2futil')).toBe(1)
    expect(registry.hitCount('/fixture-app/-/fixture-app-1.2.0.tgz')).toBe(1)
    expect(registry.hitCount('/@fixture/util/-/util-1.4.0.tgz')).toBe(1)
  })
})
