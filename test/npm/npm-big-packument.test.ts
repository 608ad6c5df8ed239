/** A multi-MB packument (rewritten in a worker thread) through the real server: real npm installs from it, both forms are served whole. */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bigPackument, makeTempDir, startNpmRegistryFixture, type NpmRegistryFixture, type TempDir } from '@larder/testkit'
import { createClientSandbox, describeRun, type ClientSandbox } from '../support/clients.js'
import { startLarder, type LarderServer } from '../support/larder-process.js'
import { writeProject } from '../support/npm-graph.js'

/** About 3.5 MB of full packument: far over the size processed in place. */
const VERSIONS = 5000

let fixture: NpmRegistryFixture
let larder: LarderServer
let clients: ClientSandbox
let work: TempDir

beforeAll(async () => {
  fixture = await startNpmRegistryFixture({ packages: await bigPackument('e2e-huge', VERSIONS, { dependencies: {} }) })
  larder = await startLarder({ env: { LARDER_NPM_UPSTREAM: fixture.url } })
  clients = await createClientSandbox({ registry: larder.npmRegistry })
  work = await makeTempDir('larder-e2e-big-packument-')
})
afterAll(async () => {
  await larder?.stop()
  await clients?.cleanup()
  await work?.cleanup()
  await fixture?.stop()
})

describe('a multi-MB packument', () => {
  it('is rewritten once and serves npm install, the full and the abbreviated form', async () => {
    const full = await fetch(`${larder.npmRegistry}e2e-huge`)
    expect(full.headers.get('x-larder-cache')).toBe('MISS')
    const doc = (await full.json()) as { versions: Record<string, { dist: { tarball: string } }> }
    expect(Object.keys(doc.versions)).toHaveLength(VERSIONS)
    expect(doc.versions[`1.0.${VERSIONS - 1}`]!.dist.tarball).toBe(`${larder.npmRegistry}e2e-huge/-/e2e-huge-1.0.${VERSIONS - 1}.tgz`)
    const short = await fetch(`${larder.npmRegistry}e2e-huge`, { headers: { accept: 'application/vnd.npm.install-v1+json' } })
    expect(short.headers.get('x-larder-cache')).toBe('HIT')
    expect(Object.keys(((await short.json()) as { versions: object }).versions)).toHaveLength(VERSIONS)

    const project = await writeProject(join(work.path, 'project'), { 'e2e-huge': '1.0.0' })
    const install = await clients.npm(['install'], { cwd: project })
    expect(install.code, describeRun(install)).toBe(0)
    expect(fixture.hitCount('/e2e-huge')).toBe(1)
  })
})
