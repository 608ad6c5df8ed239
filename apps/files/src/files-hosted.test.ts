/** Hosted files: upload (201, then 200 for the same bytes, 409 for others), declared checksums, download with ETag and Range, delete. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AUTH, listing, json, md5, openFilesApp, sha1, sha256, spooled, upload, type FilesHarness } from './files-app.harness.js'

let h: FilesHarness

beforeAll(async () => {
  h = await openFilesApp()
})

afterAll(async () => {
  await h?.close()
})

const body = 'the build output, version 1\n'

describe('PUT /files/<repo>/<path>', () => {
  it('stores a new file (201) with its URL and digest, and the same bytes again are 200', async () => {
    const first = await upload(h, 'builds/app/1.0/app.tgz', body)
    expect(first.status).toBe(201)
    expect(first.headers.get('location')).toBe('http://larder.test:8080/files/builds/app/1.0/app.tgz')
    expect(first.headers.get('etag')).toBe(`"${sha256(body)}"`)
    expect(await json(first)).toMatchObject({ path: 'builds/app/1.0/app.tgz', size: body.length, sha256: sha256(body), uploadedBy: 'uploader' })
    const again = await upload(h, 'builds/app/1.0/app.tgz', body, { 'x-checksum-sha256': sha256(body) })
    expect(again.status).toBe(200)
    expect((await json(again)).sha256).toBe(sha256(body))
    expect(await spooled(h)).toEqual([])
  })

  it('never replaces a path: other bytes are 409, refused before the body is read when the digest is declared', async () => {
    await upload(h, 'builds/keep.txt', 'first')
    const other = await upload(h, 'builds/keep.txt', 'second')
    expect(other.status).toBe(409)
    expect((await json(other)).error).toMatch(/already exists with other bytes .*never replaced/)
    const declared = await upload(h, 'builds/keep.txt', 'second', { 'x-checksum-sha256': sha256('second') })
    expect(declared.status).toBe(409)
    expect(await (await h.request('/files/builds/keep.txt')).text()).toBe('first')
  })

  it('checks X-Checksum-Sha256, -Sha1 and -Md5 (400 on a mismatch, nothing stored) and serves the declared ones back', async () => {
    const good = await upload(h, 'sums/ok.bin', body, {
      'x-checksum-sha256': sha256(body),
      'x-checksum-sha1': sha1(body),
      'x-checksum-md5': md5(body).toUpperCase(),
    })
    expect(good.status).toBe(201)
    const served = await h.request('/files/sums/ok.bin')
    expect(served.headers.get('x-checksum-sha1')).toBe(sha1(body))
    expect(served.headers.get('x-checksum-md5')).toBe(md5(body))
    for (const [header, value] of [
      ['x-checksum-sha256', sha256('other')],
      ['x-checksum-sha1', sha1('other')],
      ['x-checksum-md5', md5('other')],
    ] as const) {
      const res = await upload(h, 'sums/bad.bin', body, { [header]: value })
      expect(res.status, header).toBe(400)
      expect((await json(res)).error).toMatch(/nothing was stored/)
    }
    const malformed = await upload(h, 'sums/bad.bin', body, { 'x-checksum-sha256': 'abc' })
    expect(malformed.status).toBe(400)
    expect((await json(malformed)).error).toMatch(/X-Checksum-Sha256 must be 64 hex digits/)
    expect((await h.request('/files/sums/bad.bin')).status).toBe(404)
    expect(await spooled(h)).toEqual([])
  })

  it('refuses a file under a file (409) and a file where a directory is (409)', async () => {
    await upload(h, 'shape/a/b.txt', 'x')
    expect((await upload(h, 'shape/a/b.txt/c.txt', 'y')).status).toBe(409)
    const dir = await upload(h, 'shape/a', 'z')
    expect(dir.status).toBe(409)
    expect((await json(dir)).error).toMatch(/shape\/a is a directory/)
  })

  it('takes one of two racing uploads to a path, and lists every file of uploads racing into one directory', async () => {
    const racing = await Promise.all([upload(h, 'race/one.bin', 'a'), upload(h, 'race/one.bin', 'b')])
    expect(racing.map((res) => res.status).sort()).toEqual([201, 409])
    const names = Array.from({ length: 8 }, (_, i) => `f${i}`)
    const statuses = await Promise.all(names.map((name) => upload(h, `race/dir/${name}`, name)))
    expect(statuses.map((res) => res.status)).toEqual(names.map(() => 201))
    const doc = await listing(h, 'race/dir/')
    expect(doc.files.map((f: { name: string }) => f.name)).toEqual(names)
  })

  it('stores an empty file', async () => {
    expect((await upload(h, 'builds/empty', '')).status).toBe(201)
    const res = await h.request('/files/builds/empty')
    expect(res.headers.get('content-length')).toBe('0')
    expect(res.headers.get('x-checksum-sha256')).toBe(sha256(''))
  })
})

describe('GET and HEAD of a hosted file', () => {
  const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251))

  beforeAll(async () => {
    expect((await upload(h, 'web/page.html', bytes)).status).toBe(201)
  })

  it('serves the bytes as application/octet-stream (never HTML) with ETag, X-Checksum-Sha256 and Content-Length', async () => {
    const res = await h.request('/files/web/page.html')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/octet-stream')
    expect(res.headers.get('etag')).toBe(`"${sha256(bytes)}"`)
    expect(res.headers.get('x-checksum-sha256')).toBe(sha256(bytes))
    expect(res.headers.get('content-length')).toBe('1000')
    expect(res.headers.get('accept-ranges')).toBe('bytes')
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true)
    const head = await h.request('/files/web/page.html', { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe('1000')
    expect(head.headers.get('x-checksum-sha256')).toBe(sha256(bytes))
    expect(await head.text()).toBe('')
  })

  it('answers Range with 206, a range past the end with 416, and If-None-Match with 304', async () => {
    const part = await h.request('/files/web/page.html', { headers: { range: 'bytes=100-199' } })
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe('bytes 100-199/1000')
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(100, 200))).toBe(true)
    expect((await h.request('/files/web/page.html', { headers: { range: 'bytes=5000-' } })).status).toBe(416)
    expect((await h.request('/files/web/page.html', { headers: { 'if-none-match': `"${sha256(bytes)}"` } })).status).toBe(304)
  })

  it('honours ?sha256= on a hosted file: the held digest is served, another one is 409', async () => {
    expect((await h.request(`/files/web/page.html?sha256=${sha256(bytes)}`)).status).toBe(200)
    const wrong = await h.request(`/files/web/page.html?sha256=${sha256('x')}`)
    expect(wrong.status).toBe(409)
    expect((await json(wrong)).error).toMatch(/is held with sha256 .* not the pinned/)
  })

  it('redirects a directory asked for without its slash, and 404s what is not there', async () => {
    const dir = await h.request('/files/web')
    expect(dir.status).toBe(301)
    expect(dir.headers.get('location')).toBe('http://larder.test:8080/files/web/')
    expect((await h.request('/files/builds/app')).headers.get('location')).toBe('http://larder.test:8080/files/builds/app/')
    expect((await h.request('/files')).headers.get('location')).toBe('http://larder.test:8080/files/')
    expect((await h.request('/files/web/nothing.txt')).status).toBe(404)
    expect((await h.request('/files/nowhere/')).status).toBe(404)
  })
})

describe('DELETE /files/<repo>/<path>', () => {
  it('needs the token, stops serving the file, and lets only the same bytes come back', async () => {
    await upload(h, 'gone/dir/old.tgz', 'old bytes')
    expect((await h.request('/files/gone/dir/old.tgz', { method: 'DELETE' })).status).toBe(401)
    const removed = await h.request('/files/gone/dir/old.tgz', { method: 'DELETE', headers: AUTH })
    expect(removed.status).toBe(200)
    expect(await json(removed)).toEqual({ deleted: 'gone/dir/old.tgz', sha256: sha256('old bytes') })
    expect((await h.request('/files/gone/dir/old.tgz')).status).toBe(404)
    expect((await h.request('/files/gone/dir/old.tgz', { method: 'DELETE', headers: AUTH })).status).toBe(404)
    // The last file took its directories with it.
    expect((await h.request('/files/gone/', { headers: { accept: 'application/json' } })).status).toBe(404)
    const reused = await upload(h, 'gone/dir/old.tgz', 'new bytes')
    expect(reused.status).toBe(409)
    expect((await json(reused)).error).toMatch(/was deleted.*never reused/)
    expect((await upload(h, 'gone/dir/old.tgz', 'old bytes')).status).toBe(201)
    expect(await (await h.request('/files/gone/dir/old.tgz')).text()).toBe('old bytes')
  })

  it('answers 405 for methods a file does not take', async () => {
    const res = await h.request('/files/builds/keep.txt', { method: 'POST', headers: AUTH })
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe('GET, HEAD, PUT, DELETE')
  })
})
