/** Private packages: npm publish / install / dist-tag / unpublish / whoami against Larder, tokens enforced, names never mixed with upstream. */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, packNpmPackage, startNpmRegistryFixture, type NpmRegistryFixture, type PackedPackage, type TempDir } from '@larder/testkit'
import { createClientSandbox, describeRun, type ClientSandbox } from '../support/clients.js'
import { startLarder, type LarderServer } from '../support/larder-process.js'
import { packNpmGraph, resolveInstalled, writeProject } from '../support/npm-graph.js'
import { publishDocument, putPackage, writePackageSource } from '../support/npm-publish.js'

const TOKEN = 'e2e-publish-token-1'
const PYPI_ONLY_TOKEN = 'e2e-pypi-token-22'
/**
 * Published to Larder (1.0.0) while the upstream has no such name, then published upstream (9.9.9),
 * as in dependency confusion: the private one must win.
 */
const SHADOWED = 'e2e-shadowed'
/** Exists on the fixture upstream: a publish must not take it over unless LARDER_NPM_PRIVATE_NAMES lists it. */
const PUBLIC_NAME = 'e2e-right'
let upstreamShadowed: PackedPackage

let fixture: NpmRegistryFixture
let larder: LarderServer
let publisher: ClientSandbox
let anonymous: ClientSandbox
let impostor: ClientSandbox
let work: TempDir
let privateUpstreamHitsAfterPublish = 0
const isPrivateName = (path: string) => path.includes('e2e-private')

beforeAll(async () => {
  const graph = await packNpmGraph()
  upstreamShadowed = await packNpmPackage({ name: SHADOWED, version: '9.9.9' })
  fixture = await startNpmRegistryFixture({ packages: graph.all })
  larder = await startLarder({
    env: { LARDER_NPM_UPSTREAM: fixture.url, LARDER_TOKENS: `ci=${TOKEN}:npm,py=${PYPI_ONLY_TOKEN}:pypi` },
  })
  const authLine = (token: string) => `//127.0.0.1:${larder.port}/npm/:_authToken=${token}`
  publisher = await createClientSandbox({ registry: larder.npmRegistry, npmrc: [authLine(TOKEN)] })
  anonymous = await createClientSandbox({ registry: larder.npmRegistry })
  impostor = await createClientSandbox({ registry: larder.npmRegistry, npmrc: [authLine('not-a-larder-token')] })
  work = await makeTempDir('larder-e2e-publish-')
})

afterAll(async () => {
  await larder?.stop()
  await fixture?.stop()
  for (const sandbox of [publisher, anonymous, impostor]) await sandbox?.cleanup()
  await work?.cleanup()
})

async function publish(sandbox: ClientSandbox, name: string, version: string, dependencies?: Record<string, string>, args: string[] = []) {
  return sandbox.npm(['publish', ...args], { cwd: await writePackageSource(join(work.path, 'src'), name, version, dependencies) })
}

async function packument(name: string): Promise<{ status: number; cache: string | null; doc: any }> {
  const response = await fetch(`${larder.npmRegistry}${name.replace('/', '%2f')}`)
  return { status: response.status, cache: response.headers.get('x-larder-cache'), doc: await response.json() }
}

/** A publish of e2e-private@version sent without npm, so only the server's checks stand in the way. */
async function rawPublish(version: string, token?: string): Promise<Response> {
  return putPackage(larder.npmRegistry, 'e2e-private', await publishDocument(larder.npmRegistry, 'e2e-private', version), token)
}

describe('publishing to Larder', () => {
  it('npm publish of an unscoped and a scoped package with the token succeeds; the packuments are private and point at Larder', async () => {
    for (const [name, version, deps] of [
      ['e2e-private', '1.0.0', {}],
      ['e2e-private', '1.1.0', {}],
      ['@e2e-private/lib', '1.0.0', { 'e2e-left': '^1.0.0' }],
    ] as const) {
      const result = await publish(publisher, name, version, deps)
      expect(result.code, describeRun(result)).toBe(0)
      expect(result.stdout).toContain(`${name}@${version}`)
    }
    for (const name of ['e2e-private', '@e2e-private/lib']) {
      const { status, cache, doc } = await packument(name)
      expect(status).toBe(200)
      expect(cache).toBe('PRIVATE')
      for (const manifest of Object.values(doc.versions) as any[]) {
        expect(manifest.dist.tarball.startsWith(larder.npmRegistry), manifest.dist.tarball).toBe(true)
      }
    }
    expect(Object.keys((await packument('e2e-private')).doc.versions).sort()).toEqual(['1.0.0', '1.1.0'])
    privateUpstreamHitsAfterPublish = fixture.hitCount(isPrivateName)
    expect(fixture.hitCount((path) => isPrivateName(path) && path.includes('/-/'))).toBe(0)
  })

  it('npm install takes private packages (one depending on a mirrored package) and mirrored ones together', async () => {
    const project = await writeProject(join(work.path, 'consumer'), {
      'e2e-private': '^1.0.0',
      '@e2e-private/lib': '1.0.0',
      'e2e-right': '1.0.0',
    })
    const result = await anonymous.npm(['install'], { cwd: project })
    expect(result.code, describeRun(result)).toBe(0)
    const versionOf = async (chain: string[]) => {
      const pkg = await resolveInstalled(project, chain)
      return `${pkg.manifest.name}@${pkg.manifest.version} ${pkg.index.trim()}`
    }
    expect(await versionOf(['e2e-private'])).toBe('e2e-private@1.1.0 module.exports = {"name":"e2e-private","version":"1.1.0"}')
    expect(await versionOf(['@e2e-private/lib'])).toContain('@e2e-private/lib@1.0.0 ')
    expect(await versionOf(['@e2e-private/lib', 'e2e-left', 'e2e-right'])).toContain('e2e-right@1.1.0 ')
    expect(await versionOf(['e2e-right'])).toContain('e2e-right@1.0.0 ')
    // npm publish asked for each packument before the first publish of its name; nothing has gone upstream since.
    expect(fixture.hitCount(isPrivateName)).toBe(privateUpstreamHitsAfterPublish)
  })

  it('refuses publishing without a token (npm stops at ENEEDAUTH; the server answers 401)', async () => {
    const result = await publish(anonymous, 'e2e-private', '2.0.0')
    expect(result.code).not.toBe(0)
    expect(result.stderr).toMatch(/ENEEDAUTH|E401/)
    const response = await rawPublish('2.0.0')
    expect(response.status).toBe(401)
    expect((await packument('e2e-private')).doc.versions['2.0.0']).toBeUndefined()
  })

  it('refuses publishing with a wrong token (E401) or a token without the npm scope (403)', async () => {
    const result = await publish(impostor, 'e2e-private', '2.0.0')
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain('E401')
    const pypiOnly = await rawPublish('2.0.0', PYPI_ONLY_TOKEN)
    expect(pypiOnly.status).toBe(403)
    expect((await packument('e2e-private')).doc.versions['2.0.0']).toBeUndefined()
  })

  it('never replaces a published version: npm refuses, and a raw PUT gets 409 with the original bytes kept', async () => {
    const result = await publish(publisher, 'e2e-private', '1.0.0')
    expect(result.code).not.toBe(0)
    expect(result.stderr).toMatch(/cannot publish over|E409|EPUBLISHCONFLICT/)
    const before = await (await fetch(`${larder.npmRegistry}e2e-private/-/e2e-private-1.0.0.tgz`)).arrayBuffer()
    const response = await rawPublish('1.0.0', TOKEN)
    expect(response.status).toBe(409)
    const after = await (await fetch(`${larder.npmRegistry}e2e-private/-/e2e-private-1.0.0.tgz`)).arrayBuffer()
    expect(Buffer.from(after).equals(Buffer.from(before))).toBe(true)
  })

  it('refuses npm publish of a name the upstream has (409 naming LARDER_NPM_PRIVATE_NAMES), and takes it only once listed there', async () => {
    const refused = await publish(publisher, PUBLIC_NAME, '99.0.0')
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toContain('E409')
    expect(refused.stderr).toContain(`${PUBLIC_NAME} exists on the upstream registry ${new URL(fixture.url).origin}`)
    expect(refused.stderr).toContain('List it in LARDER_NPM_PRIVATE_NAMES to publish it anyway')
    const upstreamCopy = await packument(PUBLIC_NAME)
    expect(upstreamCopy.cache).not.toBe('PRIVATE')
    expect(Object.keys(upstreamCopy.doc.versions).sort()).toEqual(['1.0.0', '1.1.0'])

    const listing = await startLarder({ env: { LARDER_NPM_UPSTREAM: fixture.url, LARDER_TOKENS: `ci=${TOKEN}:npm`, LARDER_NPM_PRIVATE_NAMES: PUBLIC_NAME } })
    const owner = await createClientSandbox({ registry: listing.npmRegistry, npmrc: [`//127.0.0.1:${listing.port}/npm/:_authToken=${TOKEN}`] })
    try {
      const taken = await owner.npm(['publish'], { cwd: await writePackageSource(join(work.path, 'listed'), PUBLIC_NAME, '99.0.0') })
      expect(taken.code, describeRun(taken)).toBe(0)
      const response = await fetch(`${listing.npmRegistry}${PUBLIC_NAME}`)
      expect(response.headers.get('x-larder-cache')).toBe('PRIVATE')
      expect(Object.keys(((await response.json()) as any).versions)).toEqual(['99.0.0'])
    } finally {
      await owner.cleanup()
      await listing.stop()
    }
  })

  it('serves a private name that the upstream registered later from the private store only', async () => {
    // The upstream has no such name yet, so the publish is allowed; then someone claims it upstream.
    const result = await publish(publisher, SHADOWED, '1.0.0')
    expect(result.code, describeRun(result)).toBe(0)
    fixture.publish(upstreamShadowed)
    const upstreamHitsAfterPublish = fixture.hitCount((path) => path.includes(SHADOWED))

    const { doc, cache } = await packument(SHADOWED)
    expect(cache).toBe('PRIVATE')
    expect(Object.keys(doc.versions)).toEqual(['1.0.0'])
    expect(doc['dist-tags']).toEqual({ latest: '1.0.0' })
    const upstreamTarball = await fetch(`${larder.npmRegistry}${SHADOWED}/-/${SHADOWED}-9.9.9.tgz`)
    expect(upstreamTarball.status).toBe(404)
    const version = await fetch(`${larder.npmRegistry}${SHADOWED}/9.9.9`)
    expect(version.status).toBe(404)

    const project = await writeProject(join(work.path, 'shadow-consumer'), { [SHADOWED]: '*' })
    const install = await anonymous.npm(['install'], { cwd: project })
    expect(install.code, describeRun(install)).toBe(0)
    expect((await resolveInstalled(project, [SHADOWED])).manifest.version).toBe('1.0.0')
    const pinned = await anonymous.npm(['install', `${SHADOWED}@9.9.9`], { cwd: project })
    expect(pinned.code).not.toBe(0)
    expect(pinned.stderr).toContain('ETARGET')
    expect(fixture.hitCount((path) => path.includes(SHADOWED))).toBe(upstreamHitsAfterPublish)
  })

  it('npm dist-tag add and ls work with the token', async () => {
    const add = await publisher.npm(['dist-tag', 'add', 'e2e-private@1.0.0', 'stable'], { cwd: work.path })
    expect(add.code, describeRun(add)).toBe(0)
    const ls = await anonymous.npm(['dist-tag', 'ls', 'e2e-private'], { cwd: work.path })
    expect(ls.code, describeRun(ls)).toBe(0)
    expect(ls.stdout.trim().split('\n').sort()).toEqual(['latest: 1.1.0', 'stable: 1.0.0'])
    expect((await packument('e2e-private')).doc['dist-tags']).toEqual({ latest: '1.1.0', stable: '1.0.0' })
    const refused = await impostor.npm(['dist-tag', 'add', 'e2e-private@1.1.0', 'stable'], { cwd: work.path })
    expect(refused.code).not.toBe(0)
    expect((await packument('e2e-private')).doc['dist-tags'].stable).toBe('1.0.0')
  })

  it('npm unpublish <pkg>@<version> with the token removes that version and its tarball only', async () => {
    const result = await publisher.npm(['unpublish', 'e2e-private@1.1.0'], { cwd: work.path })
    expect(result.code, describeRun(result)).toBe(0)
    const { doc } = await packument('e2e-private')
    expect(Object.keys(doc.versions)).toEqual(['1.0.0'])
    expect(doc['dist-tags'].latest).toBe('1.0.0')
    expect((await fetch(`${larder.npmRegistry}e2e-private/-/e2e-private-1.1.0.tgz`)).status).toBe(404)
    expect((await fetch(`${larder.npmRegistry}e2e-private/-/e2e-private-1.0.0.tgz`)).status).toBe(200)
    const refused = await impostor.npm(['unpublish', 'e2e-private@1.0.0'], { cwd: work.path })
    expect(refused.code).not.toBe(0)
    expect(Object.keys((await packument('e2e-private')).doc.versions)).toEqual(['1.0.0'])
  })

  it('npm whoami prints the token name, and fails without a valid token', async () => {
    const whoami = await publisher.npm(['whoami'], { cwd: work.path })
    expect(whoami.code, describeRun(whoami)).toBe(0)
    expect(whoami.stdout.trim()).toBe('ci')
    const stranger = await impostor.npm(['whoami'], { cwd: work.path })
    expect(stranger.code).not.toBe(0)
    expect(stranger.stderr).toContain('E401')
  })

  // README: "A name published to Larder is never fetched from upstream again (no dependency confusion)".
  // BUG (reported): `npm unpublish <name> --force` deletes the private entry, and the name then resolves
  // to the upstream package again (here the fixture's 9.9.9).
  it('keeps a fully unpublished private name away from the upstream package of the same name', async () => {
    const before = fixture.hitCount((path) => path.includes(SHADOWED))
    const result = await publisher.npm(['unpublish', SHADOWED, '--force'], { cwd: work.path })
    expect(result.code, describeRun(result)).toBe(0)
    const { status, doc } = await packument(SHADOWED)
    expect(doc.versions?.['9.9.9'], 'the upstream package took the unpublished private name').toBeUndefined()
    expect(status).toBe(404)
    expect(fixture.hitCount((path) => path.includes(SHADOWED))).toBe(before)
  })
})
