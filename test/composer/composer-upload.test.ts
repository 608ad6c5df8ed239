/** Private packages: upload a `composer archive` zip, then real composer requires it beside a mirrored package; bad uploads are refused. */
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildComposerPackage,
  composerVersionEntry,
  run,
  startComposerDistFixture,
  startComposerMetadataFixture,
  writeComposerProject,
  writeZip,
  type ComposerDistFixture,
  type ComposerMetadataFixture,
} from '@larder/testkit'
import { createComposerClient, describeRun, lockedPackages, type ComposerClient } from './composer-client.js'
import { startComposerServer, type ComposerServer } from './composer-process.js'

const TOKEN = 'composer-e2e-publisher-1'
let metadata: ComposerMetadataFixture
let dists: ComposerDistFixture
let client: ComposerClient
let larder: ComposerServer

const lib10 = buildComposerPackage({ name: 'acme/lib', version: '1.0.0' })
// Same name as the private package, higher version: it must never be chosen.
const impostor = buildComposerPackage({ name: 'team/tool', version: '9.0.0' })
// On the upstream and not listed private: an upload must not take it over.
const publicPkg = buildComposerPackage({ name: 'other/public', version: '1.0.0' })

const upload = (body: Buffer, authorization?: string) =>
  fetch(`${larder.repositoryUrl}/upload`, {
    method: 'PUT',
    headers: { 'content-type': 'application/zip', ...(authorization ? { authorization } : {}) },
    body,
  })
const basic = (token: string) => `Basic ${Buffer.from(`token:${token}`).toString('base64')}`

/** A package directory zipped by the real `composer archive`. */
async function composerArchive(name: string, version: string): Promise<Buffer> {
  const dir = join(client.root, `src-${name.replace('/', '-')}-${version}`)
  await mkdir(join(dir, 'src'), { recursive: true })
  const composerJson = { name, version, type: 'library', license: 'MIT', require: { 'acme/lib': '^1.0' }, autoload: { 'psr-4': { 'Team\\Tool\\': 'src/' } } }
  await writeFile(join(dir, 'composer.json'), JSON.stringify(composerJson, null, 4))
  await writeFile(join(dir, 'src/Version.php'), `<?php\nnamespace Team\\Tool;\n\nfinal class Version\n{\n    public const VERSION = '${version}';\n}\n`)
  const out = join(dir, 'out')
  const result = await client.composer(['archive', '--format=zip', `--dir=${out}`, '--file=package'], dir)
  if (result.code !== 0) throw new Error(`composer archive failed: ${describeRun(result)}`)
  const [file] = await readdir(out)
  return readFile(join(out, file!))
}

beforeAll(async () => {
  dists = await startComposerDistFixture()
  metadata = await startComposerMetadataFixture({
    versions: [
      composerVersionEntry(lib10, { distUrl: dists.add(lib10) }),
      composerVersionEntry(impostor, { distUrl: dists.add(impostor) }),
      composerVersionEntry(publicPkg, { distUrl: dists.add(publicPkg) }),
    ],
  })
  client = await createComposerClient()
  await client.freshCache()
  // team/tool has a public impostor upstream: the team vendor is listed private, so its uploads may shadow it.
  const env = {
    LARDER_COMPOSER_UPSTREAM: metadata.url,
    LARDER_TOKENS: `ci=${TOKEN}:composer`,
    LARDER_MAX_UPLOAD_MB: '1',
    LARDER_COMPOSER_PRIVATE_NAMES: 'team/*',
  }
  larder = await startComposerServer({ env })
})

afterAll(async () => {
  await larder?.stop()
  await metadata?.stop()
  await dists?.stop()
  await client?.cleanup()
})

describe('private Composer packages', () => {
  it('uploads a composer archive zip, then composer requires it beside a mirrored dependency', async () => {
    const zip = await composerArchive('team/tool', '1.0.0')
    const created = await upload(zip, basic(TOKEN))
    expect(created.status, await created.clone().text()).toBe(201)
    const project = join(client.root, 'private-project')
    await writeComposerProject(project, { repositoryUrl: larder.repositoryUrl })
    const result = await client.composer(['require', 'team/tool:*'], project)
    expect(result.code, describeRun(result) + larder.output()).toBe(0)
    const locked = await lockedPackages(project)
    expect(locked.find((p) => p.name === 'team/tool')?.version).toBe('1.0.0')
    expect(locked.find((p) => p.name === 'acme/lib')?.version).toBe('1.0.0')
    const php = await client.php(`require 'vendor/autoload.php'; echo \\Team\\Tool\\Version::VERSION;`, project)
    expect(php.stdout.trim(), describeRun(php)).toBe('1.0.0')
    expect(metadata.hitCount((p) => p.startsWith('/p2/team/tool'))).toBe(0)
    expect(dists.hitCount(`/zipball/team/tool/${impostor.reference}`)).toBe(0)
  })

  it('refuses an upload of a package the upstream has that is not listed private (409 naming LARDER_COMPOSER_PRIVATE_NAMES)', async () => {
    const zip = await composerArchive('other/public', '9.0.0')
    const refused = await upload(zip, basic(TOKEN))
    expect(refused.status).toBe(409)
    const body = (await refused.json()) as { code: string; error: string }
    expect(body.code).toBe('E_CONFLICT')
    expect(body.error).toBe(
      `other/public exists on the upstream registry ${new URL(metadata.url).origin}; publishing it here would shadow it for every client. List it in LARDER_COMPOSER_PRIVATE_NAMES to publish it anyway`,
    )
    const p2 = (await (await fetch(`${larder.repositoryUrl}/p2/other/public.json`)).json()) as { packages: Record<string, { version: string }[]> }
    expect(p2.packages['other/public']!.map((v) => v.version)).toEqual(['1.0.0'])
  })

  it('refuses an upload without a token', async () => {
    const zip = await composerArchive('team/other', '1.0.0')
    const refused = await upload(zip)
    expect(refused.status).toBe(401)
    expect((await upload(zip, basic('not-the-token'))).status).toBe(401)
    expect((await fetch(`${larder.repositoryUrl}/p2/team/other.json`)).status).toBe(404)
  })

  it('refuses bad zips with a clear 4xx', async () => {
    const dir = join(client.root, 'bad-zips')
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, 'README.md'), 'no composer.json here\n')
    await writeFile(join(dir, 'big.bin'), randomBytes(2 * 1024 * 1024))
    const zipped = await run('zip', ['-q', '-0', 'bad.zip', 'README.md'], { cwd: dir })
    expect(zipped.code, zipped.stderr).toBe(0)
    const noComposerJson = await upload(await readFile(join(dir, 'bad.zip')), basic(TOKEN))
    expect(noComposerJson.status).toBe(400)
    expect(((await noComposerJson.json()) as { error: string }).error).toContain('no composer.json')
    const traversal = writeZip([
      { name: 'composer.json', data: '{"name":"team/evil","version":"1.0.0"}' },
      { name: '../../../tmp/evil.php', data: '<?php' },
    ])
    const refusedTraversal = await upload(traversal, basic(TOKEN))
    expect(refusedTraversal.status).toBe(400)
    expect(((await refusedTraversal.json()) as { error: string }).error).toMatch(/unsafe.*\.\./)
    const bigZipped = await run('zip', ['-q', '-0', 'big.zip', 'big.bin', 'README.md'], { cwd: dir })
    expect(bigZipped.code, bigZipped.stderr).toBe(0)
    const oversized = await upload(await readFile(join(dir, 'big.zip')), basic(TOKEN))
    expect(oversized.status).toBe(413)
    expect((await fetch(`${larder.repositoryUrl}/p2/team/evil.json`)).status).toBe(404)
  })
})
