import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { packNpmPackage, type PackedPackage } from '@larder/testkit'
import { TEST_TOKEN, startNpmAppHarness, type NpmAppHarness } from './npm-app.harness.js'

// What npm deprecate, unpublish <pkg>@<v>, owner and star send, replayed with app.request().
let h: NpmAppHarness
let mirrored: PackedPackage

const ABBREVIATED = 'application/vnd.npm.install-v1+json'
const auth = { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' }
const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as any })

beforeAll(async () => {
  mirrored = await packNpmPackage({ name: 'meta-upstream', version: '1.0.0' })
  h = await startNpmAppHarness([mirrored])
}, 60_000)

afterAll(async () => {
  await h?.close()
})

async function publish(pkg: PackedPackage) {
  const attachment = { content_type: 'application/octet-stream', data: pkg.tarball.toString('base64'), length: pkg.tarball.length }
  const doc = {
    _id: pkg.name,
    name: pkg.name,
    'dist-tags': { latest: pkg.version },
    versions: { [pkg.version]: { ...pkg.manifest, dist: { integrity: pkg.integrity, shasum: pkg.shasum } } },
    _attachments: { [pkg.filename]: attachment },
  }
  const res = await h.request(`/npm/${pkg.name}`, { method: 'PUT', headers: auth, body: JSON.stringify(doc) })
  expect(res.status).toBe(201)
}

/** What npm reads before a change: GET /name?write=true. */
const writable = async (name: string) => (await h.request(`/npm/${name}?write=true`)).json() as Promise<any>
const put = (path: string, doc: unknown, headers: Record<string, string> = auth) =>
  h.request(`/npm/${path}`, { method: 'PUT', headers, body: JSON.stringify(doc) })

describe('npm deprecate of a private package (PUT /name without attachments)', () => {
  beforeAll(async () => {
    await publish(await packNpmPackage({ name: 'meta-dep', version: '1.0.0' }))
    await publish(await packNpmPackage({ name: 'meta-dep', version: '2.0.0', dependencies: { x: '^1' } }))
  })

  it('sets deprecated on the chosen version, visible in both forms, with a new rev and ETag', async () => {
    const before = await h.request('/npm/meta-dep')
    const doc = await writable('meta-dep')
    doc.versions['1.0.0'].deprecated = 'use 2'
    const res = await json(await put('meta-dep', doc))
    expect(res.status).toBe(201)
    expect(res.body.rev).not.toBe(doc._rev)
    const after = await h.request('/npm/meta-dep')
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'))
    const full = (await after.json()) as any
    expect(full._rev).toBe(res.body.rev)
    expect(full.versions['1.0.0'].deprecated).toBe('use 2')
    expect(full.versions['2.0.0'].deprecated).toBeUndefined()
    expect(full.time.modified > doc.time.modified).toBe(true)
    const short = (await (await h.request('/npm/meta-dep', { headers: { accept: ABBREVIATED } })).json()) as any
    expect(short.versions['1.0.0'].deprecated).toBe('use 2')
    expect(((await (await h.request('/npm/meta-dep/1.0.0')).json()) as any).deprecated).toBe('use 2')
  })

  it('removes it again when npm sends "" (undeprecate)', async () => {
    const doc = await writable('meta-dep')
    doc.versions['1.0.0'].deprecated = ''
    expect((await put('meta-dep', doc)).status).toBe(201)
    expect((await writable('meta-dep')).versions['1.0.0']).not.toHaveProperty('deprecated')
  })

  it('is all or nothing: another change in the same document refuses the whole write', async () => {
    const doc = await writable('meta-dep')
    doc.versions['1.0.0'].deprecated = 'use 2'
    doc.versions['2.0.0'].dependencies = { x: '*' }
    const res = await json(await put('meta-dep', doc))
    expect(res.status).toBe(400)
    expect(res.body).toMatchObject({ code: 'E_BAD_REQUEST', error: expect.stringContaining('only "deprecated" can change') })
    expect((await writable('meta-dep')).versions['1.0.0'].deprecated).toBeUndefined()
    expect((await writable('meta-dep'))._rev).toBe(doc._rev)
  })

  it('refuses a stale or missing rev, a new version without its tarball, and no token', async () => {
    const doc = await writable('meta-dep')
    doc.versions['1.0.0'].deprecated = 'x'
    expect((await put('meta-dep', { ...doc, _rev: '1-stale' })).status).toBe(409)
    expect((await put('meta-dep', { ...doc, _rev: undefined })).status).toBe(400)
    expect((await put('meta-dep', doc, { 'content-type': 'application/json' })).status).toBe(401)
    const added = await writable('meta-dep')
    added.versions['3.0.0'] = { name: 'meta-dep', version: '3.0.0' }
    const res = await json(await put('meta-dep', added))
    expect(res.status).toBe(400)
    expect(res.body.error).toContain('meta-dep@3.0.0 is not published here, and a new version needs its tarball')
    expect(Object.keys((await writable('meta-dep')).versions)).toEqual(['1.0.0', '2.0.0'])
  })

  it('lists the publishing token as maintainer (npm owner ls)', async () => {
    expect((await writable('meta-dep')).maintainers).toEqual([{ name: 'tester', email: 'tester@larder.invalid' }])
  })
})

describe('npm unpublish <pkg>@<version> (PUT /name/-rev/rev, then DELETE of the tarball)', () => {
  it('removes the version and its tarball, keeps the other, and the later DELETE still succeeds', async () => {
    await publish(await packNpmPackage({ name: 'meta-unpub', version: '1.0.0' }))
    await publish(await packNpmPackage({ name: 'meta-unpub', version: '1.1.0' }))
    const doc = await writable('meta-unpub')
    delete doc.versions['1.1.0']
    doc['dist-tags'].latest = '1.0.0'
    expect((await put(`meta-unpub/-rev/${doc._rev}`, doc)).status).toBe(201)
    expect((await h.request('/npm/meta-unpub/-/meta-unpub-1.1.0.tgz')).status).toBe(404)
    const { _rev } = await writable('meta-unpub')
    const del = await h.request(`/npm/meta-unpub/-/meta-unpub-1.1.0.tgz/-rev/${_rev}`, { method: 'DELETE', headers: auth })
    expect(del.status).toBe(200)
    expect(Object.keys((await writable('meta-unpub')).versions)).toEqual(['1.0.0'])
    expect((await h.request('/npm/meta-unpub/-/meta-unpub-1.0.0.tgz')).status).toBe(200)
    const republish = await packNpmPackage({ name: 'meta-unpub', version: '1.1.0' })
    // The time of an unpublished version stays, so it can never be published again with other bytes.
    const attachments = { [republish.filename]: { data: republish.tarball.toString('base64') } }
    const again = await put('meta-unpub', { name: 'meta-unpub', versions: { '1.1.0': republish.manifest }, _attachments: attachments })
    expect(again.status).toBe(409)
  })
})

describe('writes Larder does not take', () => {
  it('refuses npm star and npm owner add/rm with 405 and says why', async () => {
    await publish(await packNpmPackage({ name: 'meta-owned', version: '1.0.0' }))
    const { _id, _rev } = await writable('meta-owned')
    const star = await json(await put('meta-owned', { _id, _rev, users: { tester: true } }))
    expect(star).toMatchObject({ status: 405, body: { code: 'E_METHOD_NOT_ALLOWED', error: expect.stringContaining('npm star is not supported by Larder') } })
    const owners = await json(await put(`meta-owned/-rev/${_rev}`, { _id, _rev, maintainers: [{ name: 'tester' }, { name: 'x' }] }))
    expect(owners).toMatchObject({ status: 405, body: { error: expect.stringContaining('npm owner add/rm is not supported by Larder') } })
    const lookup = await json(await h.request('/npm/-/user/org.couchdb.user:x'))
    expect(lookup).toMatchObject({ status: 405, body: { error: expect.stringContaining('npm owner add/rm is not supported by Larder') } })
    expect((await writable('meta-owned'))._rev).toBe(_rev)
  })

  it('refuses deprecating, unpublishing and tagging a mirrored package, naming why', async () => {
    const doc = await writable('meta-upstream')
    doc.versions['1.0.0'].deprecated = 'nope'
    const mirroredMessage = (verb: string) => `meta-upstream is mirrored from upstream; only packages published to this Larder can be ${verb}`
    expect(await json(await put('meta-upstream', doc))).toMatchObject({ status: 405, body: { error: mirroredMessage('deprecated') } })
    expect(await json(await put(`meta-upstream/-rev/${doc._rev}`, doc))).toMatchObject({ status: 405, body: { error: mirroredMessage('unpublished') } })
    const tag = await h.request('/npm/-/package/meta-upstream/dist-tags/beta', { method: 'PUT', headers: auth, body: '"1.0.0"' })
    expect(await json(tag)).toMatchObject({ status: 405, body: { error: mirroredMessage('tagged') } })
    const gone = await h.request(`/npm/meta-upstream/-rev/${doc._rev}`, { method: 'DELETE', headers: auth })
    expect(gone.status).toBe(405)
    expect((await writable('meta-upstream')).versions['1.0.0'].deprecated).toBeUndefined()
  })

  it('answers npm access writes with 405 and its reads with 404, both saying it is not supported', async () => {
    const set = await json(await h.request('/npm/-/package/meta-owned/access', { method: 'POST', headers: auth, body: '{"access":"public"}' }))
    expect(set).toMatchObject({ status: 405, body: { error: 'npm access is not supported by Larder' } })
    const read = await json(await h.request('/npm/-/package/meta-owned/collaborators'))
    expect(read).toMatchObject({ status: 404, body: { error: 'npm access is not supported by Larder' } })
  })
})
