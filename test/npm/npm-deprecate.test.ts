/** Writes to a published package besides publish, with the real npm: deprecate and undeprecate, owner, unpublish of a version, and the refused star/owner add/mirrored writes. */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, packNpmPackage, startNpmRegistryFixture, type NpmRegistryFixture, type TempDir } from '@larder/testkit'
import { createClientSandbox, describeRun, type ClientSandbox } from '../support/clients.js'
import { startLarder, type LarderServer } from '../support/larder-process.js'
import { resolveInstalled, writeProject } from '../support/npm-graph.js'
import { writePackageSource } from '../support/npm-publish.js'

const TOKEN = 'e2e-deprecate-token-1'
const PKG = 'e2e-deprecated'
/** Only on the fixture upstream: Larder mirrors it and must refuse to change it. */
const MIRRORED = 'e2e-mirrored-only'

let fixture: NpmRegistryFixture
let larder: LarderServer
let publisher: ClientSandbox
let anonymous: ClientSandbox
let work: TempDir

beforeAll(async () => {
  fixture = await startNpmRegistryFixture({ packages: [await packNpmPackage({ name: MIRRORED, version: '1.0.0' })] })
  larder = await startLarder({ env: { LARDER_NPM_UPSTREAM: fixture.url, LARDER_TOKENS: `ci=${TOKEN}:npm` } })
  publisher = await createClientSandbox({ registry: larder.npmRegistry, npmrc: [`//127.0.0.1:${larder.port}/npm/:_authToken=${TOKEN}`] })
  anonymous = await createClientSandbox({ registry: larder.npmRegistry })
  work = await makeTempDir('larder-e2e-deprecate-')
  for (const version of ['1.0.0', '2.0.0']) {
    const result = await publisher.npm(['publish'], { cwd: await writePackageSource(join(work.path, 'src'), PKG, version) })
    expect(result.code, describeRun(result)).toBe(0)
  }
})

afterAll(async () => {
  await larder?.stop()
  await fixture?.stop()
  for (const sandbox of [publisher, anonymous]) await sandbox?.cleanup()
  await work?.cleanup()
})

const npm = (sandbox: ClientSandbox, args: string[]) => sandbox.npm(args, { cwd: work.path })

async function viewDeprecated(version: string): Promise<string> {
  const result = await npm(anonymous, ['view', `${PKG}@${version}`, 'deprecated', '--prefer-online'])
  expect(result.code, describeRun(result)).toBe(0)
  return result.stdout.trim()
}

/** `npm install <spec>` into a new project, with an empty npm cache so nothing stale can answer. */
async function installFresh(dir: string, spec: string) {
  await anonymous.freshCaches()
  const project = await writeProject(join(work.path, dir), {})
  return { project, result: await anonymous.npm(['install', spec], { cwd: project }) }
}

describe('npm deprecate and friends against Larder', () => {
  it('npm deprecate marks one version: npm view shows the message and npm install warns', async () => {
    const result = await npm(publisher, ['deprecate', `${PKG}@1.0.0`, 'use 2'])
    expect(result.code, describeRun(result)).toBe(0)
    expect(await viewDeprecated('1.0.0')).toBe('use 2')
    expect(await viewDeprecated('2.0.0')).toBe('')
    const { result: install } = await installFresh('deprecated-consumer', `${PKG}@1.0.0`)
    expect(install.code, describeRun(install)).toBe(0)
    expect(install.stderr).toContain(`deprecated ${PKG}@1.0.0: use 2`)
  })

  it('npm deprecate <pkg> "" takes the message away again', async () => {
    const result = await npm(publisher, ['deprecate', `${PKG}@1.0.0`, ''])
    expect(result.code, describeRun(result)).toBe(0)
    expect(await viewDeprecated('1.0.0')).toBe('')
    const { result: install } = await installFresh('undeprecated-consumer', `${PKG}@1.0.0`)
    expect(install.code, describeRun(install)).toBe(0)
    expect(install.stderr).not.toContain('deprecated')
  })

  it('npm owner ls names the token that published', async () => {
    const result = await npm(anonymous, ['owner', 'ls', PKG])
    expect(result.code, describeRun(result)).toBe(0)
    expect(result.stdout.trim()).toBe('ci <ci@larder.invalid>')
  })

  it('npm star and npm owner add/rm fail, saying Larder does not support them', async () => {
    const star = await npm(publisher, ['star', PKG])
    expect(star.code).not.toBe(0)
    expect(star.stderr).toContain('npm star is not supported by Larder')
    for (const action of ['add', 'rm']) {
      const owner = await npm(publisher, ['owner', action, 'someone', PKG])
      expect(owner.code).not.toBe(0)
      expect(owner.stderr).toContain('npm owner add/rm is not supported by Larder')
    }
    const ls = await npm(anonymous, ['owner', 'ls', PKG])
    expect(ls.stdout.trim()).toBe('ci <ci@larder.invalid>')
  })

  it('npm deprecate and dist-tag add of a mirrored package fail, saying it is mirrored', async () => {
    const deprecate = await npm(publisher, ['deprecate', `${MIRRORED}@1.0.0`, 'mine now'])
    expect(deprecate.code).not.toBe(0)
    expect(deprecate.stderr).toContain(`${MIRRORED} is mirrored from upstream; only packages published to this Larder can be deprecated`)
    const tag = await npm(publisher, ['dist-tag', 'add', `${MIRRORED}@1.0.0`, 'beta'])
    expect(tag.code).not.toBe(0)
    expect(tag.stderr).toContain(`${MIRRORED} is mirrored from upstream; only packages published to this Larder can be tagged`)
    const doc = (await (await fetch(`${larder.npmRegistry}${MIRRORED}`)).json()) as {
      versions: Record<string, { deprecated?: string }>
      'dist-tags': Record<string, string>
    }
    expect(doc.versions['1.0.0']?.deprecated).toBeUndefined()
    expect(doc['dist-tags']).toEqual({ latest: '1.0.0' })
  })

  it('npm unpublish <pkg>@1.0.0 removes that version only; the other still installs', async () => {
    const result = await npm(publisher, ['unpublish', `${PKG}@1.0.0`])
    expect(result.code, describeRun(result)).toBe(0)
    const doc = (await (await fetch(`${larder.npmRegistry}${PKG}`)).json()) as { versions: Record<string, unknown> }
    expect(Object.keys(doc.versions)).toEqual(['2.0.0'])
    expect((await fetch(`${larder.npmRegistry}${PKG}/-/${PKG}-1.0.0.tgz`)).status).toBe(404)
    const { project, result: install } = await installFresh('after-unpublish', PKG)
    expect(install.code, describeRun(install)).toBe(0)
    expect((await resolveInstalled(project, [PKG])).manifest.version).toBe('2.0.0')
    const { result: gone } = await installFresh('unpublished-version', `${PKG}@1.0.0`)
    expect(gone.code).not.toBe(0)
    expect(gone.stderr).toContain('ETARGET')
  })
})
