import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeTar, writeTarGz, writeZip } from '@larder/testkit'
import { readSafeTar } from './tar-entries.js'
import { readSafeTarFile } from './tar-file.js'
import { SafeZip } from './zip-entries.js'

let dir: string
beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'larder-archive-files-'))))
afterAll(() => rm(dir, { recursive: true, force: true }))

async function fileOf(name: string, bytes: Buffer): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, bytes)
  return path
}

describe('archives on disk (spooled uploads)', () => {
  it('reads a .tar.gz and a plain tar from a file with the same checks', async () => {
    const entries = [
      { name: 'pkg-1.0/', type: 'directory' as const },
      { name: 'pkg-1.0/PKG-INFO', data: 'Name: pkg' },
    ]
    for (const [name, bytes] of [
      ['a.tar.gz', writeTarGz(entries)],
      ['a.tar', writeTar(entries)],
    ] as const) {
      const files = await readSafeTarFile(await fileOf(name, bytes), { label: name, read: (e) => e.path === 'pkg-1.0/PKG-INFO' })
      expect(files.get('pkg-1.0/PKG-INFO')?.toString()).toBe('Name: pkg')
    }
    const unsafe = await fileOf('unsafe.tar.gz', writeTarGz([{ name: '../evil', data: 'x' }]))
    await expect(readSafeTarFile(unsafe, { label: 'unsafe' })).rejects.toMatchObject({
      code: 'E_BAD_REQUEST',
      message: expect.stringContaining("'..' segment"),
    })
  })

  it('streams the entries asked for to their consumer instead of holding them', async () => {
    const big = randomBytes(3 * 1024 * 1024)
    const tar = writeTar([
      { name: 'metadata.gz', data: 'm' },
      { name: 'data.tar.gz', data: big },
    ])
    let hash = ''
    const files = await readSafeTar(tar, {
      label: 'the gem',
      read: (e) => e.path === 'metadata.gz',
      stream: (e) =>
        e.path === 'data.tar.gz'
          ? async (body) => {
              const h = createHash('sha256')
              for await (const chunk of body) h.update(chunk)
              hash = h.digest('hex')
            }
          : undefined,
    })
    expect([...files.keys()]).toEqual(['metadata.gz'])
    expect(hash).toBe(createHash('sha256').update(big).digest('hex'))
  })

  it('fails the read when a consumer fails, and stops a consumer when the archive is bad', async () => {
    const tar = writeTar([
      { name: 'data.tar.gz', data: randomBytes(200_000) },
      { name: 'x', data: 'x' },
    ])
    const failing = { label: 'the gem', stream: () => async () => Promise.reject(new Error('inner archive refused')) }
    await expect(readSafeTar(tar, failing)).rejects.toThrow(/inner archive refused/)
    const unsafe = writeTar([
      { name: 'data.tar.gz', data: randomBytes(200_000) },
      { name: '../evil', data: 'x' },
    ])
    let stopped = false
    const reading = {
      label: 'the gem',
      stream: () => async (body: AsyncIterable<Buffer>) => {
        try {
          for await (const _ of body);
        } finally {
          stopped = true
        }
      },
    }
    await expect(readSafeTar(unsafe, reading)).rejects.toMatchObject({ code: 'E_BAD_REQUEST' })
    expect(stopped).toBe(true)
  })

  it('opens a zip from a file', async () => {
    const zip = await SafeZip.openFile(await fileOf('a.zip', writeZip([{ name: 'demo/composer.json', data: '{}' }])), { label: 'the zip' })
    expect((await zip.read(zip.entries[0]!, 100)).toString()).toBe('{}')
    zip.close()
    await expect(SafeZip.openFile(await fileOf('b.zip', Buffer.from('no zip')), { label: 'the zip' })).rejects.toMatchObject({ code: 'E_BAD_REQUEST' })
  })
})
