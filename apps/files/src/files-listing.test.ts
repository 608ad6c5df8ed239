/** Directory URLs (ending in '/'): JSON for scripts, an escaped HTML index for browsers, each read from one directory document. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recordEntryReads } from '@larder/core/testing'
import { AUTH, listing, openFilesApp, sha256, upload, type FilesHarness } from './files-app.harness.js'
import { renderHtmlIndex } from './listing/directory-listing.js'

let h: FilesHarness

beforeAll(async () => {
  h = await openFilesApp({ LARDER_FILES_UPSTREAMS: 'nodejs=http://127.0.0.1:9/dist' })
  for (const path of ['rel/app/1.0/app.tgz', 'rel/app/1.0/app.tgz.sha256', 'rel/app/2.0/app.tgz', 'rel/README', 'other/x']) {
    expect((await upload(h, path, `bytes of ${path}`)).status).toBe(201)
  }
})

afterAll(async () => {
  await h?.close()
})

describe('a directory listing', () => {
  it('lists files (name, size, sha256, uploadedAt, uploadedBy) and subdirectories as JSON', async () => {
    const doc = await listing(h, 'rel/app/1.0/')
    expect(doc.path).toBe('/files/rel/app/1.0/')
    expect(doc.directories).toEqual([])
    expect(doc.files.map((f: { name: string }) => f.name)).toEqual(['app.tgz', 'app.tgz.sha256'])
    const [file] = doc.files
    expect(file).toEqual({
      name: 'app.tgz',
      size: 'bytes of rel/app/1.0/app.tgz'.length,
      sha256: sha256('bytes of rel/app/1.0/app.tgz'),
      uploadedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      uploadedBy: 'uploader',
    })
    expect(await listing(h, 'rel/')).toMatchObject({ directories: ['app'], files: [{ name: 'README' }] })
    expect((await listing(h, 'rel/app/')).directories).toEqual(['1.0', '2.0'])
  })

  it('lists files named like Object.prototype members', async () => {
    for (const name of ['__proto__', 'constructor', 'hasOwnProperty']) expect((await upload(h, `odd/${name}`, name)).status).toBe(201)
    expect((await listing(h, 'odd/')).files.map((f: { name: string }) => f.name)).toEqual(['__proto__', 'constructor', 'hasOwnProperty'])
    expect((await upload(h, 'odd/__proto__/x', 'y')).status).toBe(409)
    expect(await (await h.request('/files/odd/__proto__')).text()).toBe('__proto__')
  })

  it('lists the repositories and the upstream names at the root', async () => {
    expect(await listing(h, '')).toMatchObject({ path: '/files/', directories: ['odd', 'other', 'rel'], files: [], upstreams: ['nodejs'] })
  })

  it('drops a directory when its last file is deleted', async () => {
    expect((await h.request('/files/rel/app/2.0/app.tgz', { method: 'DELETE', headers: AUTH })).status).toBe(200)
    expect((await listing(h, 'rel/app/')).directories).toEqual(['1.0'])
    expect((await h.request('/files/rel/app/2.0/')).status).toBe(404)
  })

  it('reads one entry per listing, never a scan of the store', async () => {
    const store = h.services.store
    const listEntries = store.listEntries
    store.listEntries = () => {
      throw new Error('a listing must not scan the store')
    }
    const { reads, restore } = recordEntryReads(store)
    try {
      await listing(h, 'rel/app/1.0/')
      expect(reads).toEqual(['files-hosted:dir:rel/app/1.0/'])
    } finally {
      restore()
      store.listEntries = listEntries
    }
  })

  it('is a plain HTML index for browsers, with relative links', async () => {
    const res = await h.request('/files/rel/', { headers: { accept: 'text/html,application/xhtml+xml' } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/)
    const html = await res.text()
    expect(html).toContain('<title>Index of /files/rel/</title>')
    expect(html).toContain('<a href="app/">app/</a>')
    expect(html).toContain('<a href="README">README</a>')
    expect(html).toContain('<a href="../">../</a>')
    expect(html).not.toMatch(/<script/i)
  })

  it('answers HEAD, and 405 for writes to a directory', async () => {
    expect((await h.request('/files/rel/', { method: 'HEAD' })).status).toBe(200)
    expect((await h.request('/files/rel/', { method: 'PUT', headers: AUTH, body: 'x' })).status).toBe(405)
  })
})

describe('renderHtmlIndex', () => {
  it('escapes every name, path and field', () => {
    const evil = `"><script>alert('x')</script>&`
    const html = renderHtmlIndex(
      {
        path: `/files/${evil}/`,
        directories: [evil],
        files: [{ name: evil, size: 1, sha256: evil, uploadedAt: evil, uploadedBy: evil }],
        upstreams: [evil],
      },
      false,
    )
    expect(html).not.toContain('<script>')
    expect(html).not.toContain(`"><script`)
    expect(html).toContain('&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;')
    // Links are percent-encoded, then escaped: an attribute can never be closed from a name.
    expect(html).toContain(`href="${encodeURIComponent(evil).replace(/'/g, '&#39;')}"`)
  })
})
