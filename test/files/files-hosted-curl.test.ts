/** Hosted files with real curl against the running server: upload, 409, checksum mismatch, download with Range, listing, delete, traversal. */
import { createHash, randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, type TempDir } from '@larder/testkit'
import { startLarder, type LarderServer } from '../support/larder-process.js'
import { curl, describeCurl } from './curl.js'

const TOKEN = 'files-e2e-token-1'
const AUTH = ['-H', `Authorization: Bearer ${TOKEN}`]
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex')

let larder: LarderServer
let work: TempDir
let artifact: Buffer
let artifactPath: string

beforeAll(async () => {
  work = await makeTempDir('larder-e2e-files-')
  artifact = randomBytes(300 * 1024)
  artifactPath = join(work.path, 'app-1.2.3.tar.gz')
  await writeFile(artifactPath, artifact)
  larder = await startLarder({ env: { LARDER_TOKENS: `ci=${TOKEN}:files,other=npm-e2e-token-1:npm`, LARDER_FILES_UPSTREAMS: 'none' } })
})

afterAll(async () => {
  await larder?.stop()
  await work?.cleanup()
})

const url = (path: string) => `${larder.url}/files/${path}`

describe('curl and hosted files', () => {
  it('uploads with --upload-file (201), again with the same bytes (200), and never replaces the path (409)', async () => {
    const target = url('builds/app/1.2.3/app-1.2.3.tar.gz')
    const created = await curl(work.path, ['--upload-file', artifactPath, ...AUTH, '-H', `X-Checksum-Sha256: ${sha256(artifact)}`, target])
    expect(created.status, describeCurl(created) + larder.output()).toBe(201)
    expect(JSON.parse(created.body.toString())).toMatchObject({ sha256: sha256(artifact), size: artifact.length, uploadedBy: 'ci', url: target })
    // Basic auth with the token as the password works too (curl -u).
    const again = await curl(work.path, ['--upload-file', artifactPath, '-u', `ci:${TOKEN}`, target])
    expect(again.status, describeCurl(again)).toBe(200)
    const other = join(work.path, 'other.bin')
    await writeFile(other, 'other bytes')
    const conflict = await curl(work.path, ['--fail-with-body', '--upload-file', other, ...AUTH, target])
    expect(conflict.status).toBe(409)
    expect(conflict.code).toBe(22)
    expect(JSON.parse(conflict.body.toString()).error).toMatch(/never replaced/)
  })

  it('refuses a body whose checksum does not match (400), and uploads without a token (401) or with another scope (403)', async () => {
    const target = url('builds/app/1.2.3/broken.tar.gz')
    const mismatch = await curl(work.path, ['--upload-file', artifactPath, ...AUTH, '-H', `X-Checksum-Sha256: ${sha256('not it')}`, target])
    expect(mismatch.status).toBe(400)
    expect(JSON.parse(mismatch.body.toString()).error).toMatch(/sha256 is .*X-Checksum-Sha256 says/)
    expect((await curl(work.path, ['--upload-file', artifactPath, target])).status).toBe(401)
    expect((await curl(work.path, ['--upload-file', artifactPath, '-H', 'Authorization: Bearer npm-e2e-token-1', target])).status).toBe(403)
    expect((await curl(work.path, [target])).status).toBe(404)
  })

  it('downloads the bytes with their digest, resumes with Range, and HEAD says the same', async () => {
    const target = url('builds/app/1.2.3/app-1.2.3.tar.gz')
    const got = await curl(work.path, ['-f', target])
    expect(got.status, describeCurl(got)).toBe(200)
    expect(got.body.equals(artifact)).toBe(true)
    expect(got.headers['content-type']).toBe('application/octet-stream')
    expect(got.headers.etag).toBe(`"${sha256(artifact)}"`)
    expect(got.headers['x-checksum-sha256']).toBe(sha256(artifact))
    expect(got.headers['content-length']).toBe(String(artifact.length))
    const part = await curl(work.path, ['-f', '-r', '1000-1999', target])
    expect(part.status).toBe(206)
    expect(part.headers['content-range']).toBe(`bytes 1000-1999/${artifact.length}`)
    expect(part.body.equals(artifact.subarray(1000, 2000))).toBe(true)
    const head = await curl(work.path, ['-f', '-I', target])
    expect(head.status).toBe(200)
    expect(head.headers['x-checksum-sha256']).toBe(sha256(artifact))
    expect(head.headers['content-length']).toBe(String(artifact.length))
  })

  it('lists a directory as JSON for scripts and as HTML for browsers', async () => {
    const listed = await curl(work.path, ['-f', '-H', 'Accept: application/json', url('builds/app/1.2.3/')])
    expect(listed.status, describeCurl(listed)).toBe(200)
    const doc = JSON.parse(listed.body.toString())
    expect(doc.files).toEqual([{ name: 'app-1.2.3.tar.gz', size: artifact.length, sha256: sha256(artifact), uploadedAt: expect.any(String), uploadedBy: 'ci' }])
    expect(JSON.parse((await curl(work.path, ['-f', '-H', 'Accept: application/json', url('builds/')])).body.toString()).directories).toEqual(['app'])
    const html = await curl(work.path, ['-f', url('builds/app/1.2.3/')])
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(html.body.toString()).toContain('<a href="app-1.2.3.tar.gz">app-1.2.3.tar.gz</a>')
    // curl -L follows a directory asked for without its slash.
    expect((await curl(work.path, ['-fL', '-H', 'Accept: application/json', url('builds/app')])).status).toBe(200)
  })

  it('refuses traversal sent as is (--path-as-is), in plain and encoded dots', async () => {
    for (const path of ['builds/app/../../etc/passwd', 'builds/%2e%2e/x', 'builds/..%2fx', 'builds/a%00b']) {
      const res = await curl(work.path, ['--path-as-is', '--upload-file', artifactPath, ...AUTH, url(path)])
      expect(res.status, path).toBe(400)
      expect(JSON.parse(res.body.toString()).code).toBe('E_INVALID_NAME')
    }
  })

  it('deletes with the token; the file is gone and its path keeps its bytes', async () => {
    const target = url('scratch/tmp.bin')
    expect((await curl(work.path, ['--upload-file', artifactPath, ...AUTH, target])).status).toBe(201)
    expect((await curl(work.path, ['-X', 'DELETE', target])).status).toBe(401)
    const removed = await curl(work.path, ['-f', '-X', 'DELETE', ...AUTH, target])
    expect(removed.status, describeCurl(removed)).toBe(200)
    expect((await curl(work.path, [target])).status).toBe(404)
    expect((await curl(work.path, ['-H', 'Accept: application/json', url('scratch/')])).status).toBe(404)
  })
})
