import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { buildComposerPackage, type Fault, makeTempDir, startFixtureServer } from '@larder/testkit'
import { create as createTar } from 'tar'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFsStore } from '../store/index.js'
import { createUpstreamClient } from '../upstream/index.js'
import { type ArtifactFormat, GZIP_FORMAT, TAR_FORMAT, ZIP_FORMAT } from './artifact-format.js'
import { type LarderCache, createCache } from './index.js'

const files = new Map<string, Buffer>()
const cleanups: Array<() => Promise<void>> = []
let cache: LarderCache
let fixture: Awaited<ReturnType<typeof startFixtureServer>>

beforeAll(async () => {
  const temp = await makeTempDir('larder-artifact-format-')
  cleanups.push(() => temp.cleanup())
  await mkdir(join(temp.path, 'src'))
  await writeFile(join(temp.path, 'src', 'hello.txt'), 'hello\n'.repeat(1000))
  const tar = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = []
    createTar({ cwd: temp.path, portable: true }, ['src'])
      .on('data', (chunk: Buffer) => chunks.push(chunk))
      .on('end', () => resolve(Buffer.concat(chunks)))
      .on('error', reject)
  })
  files
    .set('/a.tar', tar)
    .set('/a.tgz', gzipSync(tar))
    .set('/a.zip', buildComposerPackage({ name: 'acme/a', version: '1.0.0' }).zip)
  fixture = await startFixtureServer({
    handler: async (req, res) => {
      const mislabelled = req.url === '/mislabelled.tgz'
      const body = files.get(mislabelled ? '/a.tgz' : (req.url ?? ''))
      if (!body) return res.writeHead(404).end()
      // In pieces smaller than the tar signature's offset, so the check has to wait for several.
      res.writeHead(200, { 'content-type': mislabelled ? 'text/html' : 'application/octet-stream' })
      for (let at = 0; at < body.length; at += 100) {
        res.write(body.subarray(at, at + 100))
        await new Promise((resolve) => setImmediate(resolve))
      }
      res.end()
    },
  })
  cleanups.push(() => fixture.stop())
  const upstream = createUpstreamClient({ retries: 0, env: {} })
  cleanups.push(() => upstream.close())
  cache = createCache({ store: createFsStore({ dir: join(temp.path, 'store') }), upstream })
})

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const fetchAs = (path: string, format: ArtifactFormat, key = `test:format:${path}`) =>
  cache.artifact({ key, url: `${fixture.url}${path}`, format, label: path })

async function bodyOf(path: string, format: ArtifactFormat): Promise<Buffer> {
  const response = await fetchAs(path, format)
  const chunks: Buffer[] = []
  for await (const chunk of response.body) chunks.push(chunk as Buffer)
  await response.settled
  return Buffer.concat(chunks)
}

describe('artifact formats', () => {
  it('passes a real zip, tar and gzip whole, however the first bytes arrive', async () => {
    expect((await bodyOf('/a.zip', ZIP_FORMAT)).equals(files.get('/a.zip')!)).toBe(true)
    expect((await bodyOf('/a.tar', TAR_FORMAT)).equals(files.get('/a.tar')!)).toBe(true)
    expect((await bodyOf('/a.tgz', GZIP_FORMAT)).equals(files.get('/a.tgz')!)).toBe(true)
    const stored = await cache.artifact({ key: 'test:format:/a.tar', url: 'http://127.0.0.1:9/unused' })
    expect(stored.result).toBe('HIT')
  })

  it('goes by the bytes, not by the type a server gives them', async () => {
    expect((await bodyOf('/mislabelled.tgz', GZIP_FORMAT)).equals(files.get('/a.tgz')!)).toBe(true)
  })

  it('refuses a file of another format, a login page, an empty body and random bytes, storing nothing', async () => {
    await expect(fetchAs('/a.zip', TAR_FORMAT, 'test:format:zip-as-tar')).rejects.toMatchObject({
      code: 'E_UPSTREAM_GARBAGE',
      message: expect.stringMatching(/\/a\.zip: the upstream sent bytes that are not a tar archive/),
    })
    for (const [fault, said] of [
      ['portal', /a page of type text\/html/],
      ['empty', /an empty body/],
      ['garbage', /bytes that are not a gzip file/],
    ] as Array<[Fault, RegExp]>) {
      await fixture.setFault(fault)
      try {
        await expect(fetchAs('/a.tgz', GZIP_FORMAT, `test:format:${fault}`)).rejects.toMatchObject({
          code: 'E_UPSTREAM_GARBAGE',
          message: expect.stringMatching(said),
        })
      } finally {
        await fixture.setFault(null)
      }
      // Healed, the same key fetches the real file: the fault left nothing behind.
      const healed = await fetchAs('/a.tgz', GZIP_FORMAT, `test:format:${fault}`)
      expect(healed.result).toBe('MISS')
      healed.body.resume()
      await healed.settled
    }
  })
})
