import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { gzipSync, zstdCompressSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { isLarderError, readAll } from '@larder/core'
import { decompress, decompressStream, sniffCompression } from './decompress.js'

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')
/** Real xz (CRC64, several blocks), not the decoder's own encoder: what Debian archives and dpkg-deb write. */
const xz = (b: Buffer, ...args: string[]) => execFileSync('xz', ['-zc', ...args], { input: b, maxBuffer: 1 << 30 })
const COMPRESSORS = { gzip: (b: Buffer) => gzipSync(b), xz: (b: Buffer) => xz(b, '-T2', '--block-size=1MiB'), zstd: (b: Buffer) => zstdCompressSync(b) }
const text = Buffer.from(Array.from({ length: 40_000 }, (_, i) => `Package: p${i}\nVersion: 1.${i}\nSize: ${i}\n\n`).join(''))

async function failure(stream: Readable): Promise<unknown> {
  return readAll(stream).then(
    () => undefined,
    (err: unknown) => err,
  )
}

/** The chunks in tiny slices, so the magic bytes arrive split. */
const trickle = (bytes: Buffer) =>
  Readable.from(
    (function* () {
      for (let i = 0; i < bytes.length; i += 3) yield bytes.subarray(i, i + 3)
    })(),
    { objectMode: false },
  )

describe('streaming decompression', () => {
  it.each(Object.entries(COMPRESSORS))('unpacks %s as a stream of small chunks, never the whole file at once', async (_name, compress) => {
    const chunks: Buffer[] = []
    for await (const chunk of decompressStream(compress(text), 'Packages')) chunks.push(chunk as Buffer)
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(text))
    expect(chunks.length).toBeGreaterThan(1)
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThanOrEqual(256 * 1024)
  })

  it.each(Object.entries(COMPRESSORS))('reads %s from a stream whose magic bytes arrive split', async (_name, compress) => {
    expect(sha256(await readAll(decompressStream(trickle(compress(text.subarray(0, 5000))), 'Packages')))).toBe(sha256(text.subarray(0, 5000)))
  })

  it('unpacks concatenated xz streams and passes plain or empty data through', async () => {
    const half = text.subarray(0, 100_000)
    expect((await decompress(Buffer.concat([xz(half), xz(half)]), 'Packages.xz')).equals(Buffer.concat([half, half]))).toBe(true)
    expect((await decompress(half, 'Packages')).equals(half)).toBe(true)
    expect((await decompress(Buffer.alloc(0), 'Packages')).length).toBe(0)
  })

  it.each(Object.entries(COMPRESSORS))('fails truncated and garbage %s with an error naming the file, whoever is at fault', async (name, compress) => {
    const packed = compress(text)
    const inputs = {
      truncated: packed.subarray(0, Math.floor(packed.length / 2)),
      cut: packed.subarray(0, packed.length - 4),
      garbage: Buffer.concat([packed.subarray(0, 8), Buffer.alloc(4096, 0x55)]),
    }
    for (const [what, input] of Object.entries(inputs)) {
      const upload = await failure(decompressStream(input, 'control.tar'))
      expect(isLarderError(upload, 'E_BAD_REQUEST'), `${what}: ${String(upload)}`).toBe(true)
      expect((upload as Error).message).toContain(`control.tar is not valid ${name} data (${what === 'garbage' ? '' : 'truncated: '}`)
      const upstream = await failure(decompressStream(input, 'debian bookworm/main/binary-amd64/Packages', { faultOf: 'upstream' }))
      expect(isLarderError(upstream, 'E_UPSTREAM_GARBAGE'), `${what}: ${String(upstream)}`).toBe(true)
    }
  })

  it('stops at the limit: too large for an upload, garbage from an upstream', async () => {
    const bomb = gzipSync(Buffer.alloc(4 * 1024 * 1024))
    expect(isLarderError(await failure(decompressStream(bomb, 'control.tar.gz', { maxBytes: 1024 * 1024 })), 'E_TOO_LARGE')).toBe(true)
    expect(isLarderError(await failure(decompressStream(bomb, 'Packages.gz', { maxBytes: 1024 * 1024, faultOf: 'upstream' })), 'E_UPSTREAM_GARBAGE')).toBe(true)
    await expect(decompress(Buffer.alloc(2048), 'control.tar', 1024)).rejects.toThrow(/unpacks to more than 1024 bytes/)
  })

  it.each(Object.entries(COMPRESSORS))('lets a reader stop a %s stream early without hanging', async (_name, compress) => {
    const stream = decompressStream(compress(text), 'data.tar')
    for await (const chunk of stream) {
      expect((chunk as Buffer).length).toBeGreaterThan(0)
      break
    }
    expect(stream.destroyed).toBe(true)
  })

  it('passes a failing source through as the source failure, not as bad data', async () => {
    const source = new Readable({
      read() {
        this.destroy(new Error('disk read failed'))
      },
    })
    const error = await failure(decompressStream(source, 'Packages.xz'))
    expect((error as Error).message).toBe('disk read failed')
  })

  it('tells the compressions apart by their magic bytes', () => {
    expect(sniffCompression(COMPRESSORS.gzip(text.subarray(0, 10)))).toBe('gzip')
    expect(sniffCompression(COMPRESSORS.xz(text.subarray(0, 10)))).toBe('xz')
    expect(sniffCompression(COMPRESSORS.zstd(text.subarray(0, 10)))).toBe('zstd')
    expect(sniffCompression(Buffer.from('Package: x\n'))).toBe('none')
  })
})
