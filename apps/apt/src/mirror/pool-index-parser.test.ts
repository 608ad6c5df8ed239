import { execFileSync } from 'node:child_process'
import { PassThrough, Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { isLarderError } from '@larder/core'
import { decompressStream } from '../decompress/decompress.js'
import { MAX_INDEX_LINE_LENGTH, parsePoolIndex, readPoolIndex } from './pool-index-parser.js'

const digest = (n: number) => n.toString(16).padStart(64, '0')
const PACKAGES = `Package: demo
Version: 1.0
Filename: pool/main/d/demo/demo_1.0_all.deb
Size: 1234
SHA256: ${'AB'.repeat(32)}
Description: a demo
 with a long description
 .
 that mentions Filename: pool/evil.deb on a continuation line

# a comment between stanzas
Package: twice
Filename: pool/main/t/twice/twice_1_all.deb
Filename: pool/elsewhere.deb
Size: 9
SHA256: ${digest(9)}
`
const SOURCES = `Package: demo\r
Directory: pool/main/d/demo\r
Checksums-Sha256:\r
 ${digest(1)} 100 demo_1.0.dsc\r
 ${digest(2)} 2000 demo_1.0.tar.xz\r
Checksums-Sha1:\r
 ${'0'.repeat(40)} 100 demo_1.0.dsc\r
`

/** The bytes in slices of `size`, so lines and UTF-8 characters are cut across chunks. */
function sliced(text: string, size: number): Readable {
  const bytes = Buffer.from(text)
  return Readable.from(
    (function* () {
      for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size)
    })(),
    { objectMode: false },
  )
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (err: unknown) => err,
  )
}

describe('the streaming Packages/Sources parser', () => {
  it('keeps the SHA256 and Size of every pool file, from Packages and Sources stanzas, whatever the chunking', async () => {
    for (const size of [1, 7, 4096]) {
      const table = await readPoolIndex(sliced(`${PACKAGES}\n${SOURCES}`, size), 'index')
      expect(table.get('pool/main/d/demo/demo_1.0_all.deb')).toEqual({ sha256: 'ab'.repeat(32), size: 1234 })
      expect(table.get('pool/main/t/twice/twice_1_all.deb')).toEqual({ sha256: digest(9), size: 9 })
      expect(table.get('pool/main/d/demo/demo_1.0.dsc')).toEqual({ sha256: digest(1), size: 100 })
      expect(table.get('pool/main/d/demo/demo_1.0.tar.xz')).toEqual({ sha256: digest(2), size: 2000 })
      expect([...table.keys()]).not.toContain('pool/evil.deb')
      expect(table.size).toBe(4)
    }
  })

  it('reads the same as the whole-text parser, and a field name cut by a chunk boundary', async () => {
    const text = 'Package: é-utf8\nFilename: pool/main/e/é/é_1_all.deb\nSize: 3\nSHA256: ' + digest(3) + '\n'
    expect(await readPoolIndex(sliced(text, 1), 'index')).toEqual(parsePoolIndex(text, 'index'))
  })

  it('streams a large Packages.xz through the decoder into the parser without ever holding it whole', async () => {
    const count = 40_000
    const stanza = (i: number) =>
      `Package: pkg${i}\nVersion: 1.${i}\nArchitecture: amd64\nFilename: pool/main/p/pkg${i}/pkg${i}_1.${i}_amd64.deb\nSize: ${i}\nSHA256: ${digest(i)}\nDescription: package ${i}\n ${'lorem ipsum '.repeat(20)}\n\n`
    const text = Buffer.from(Array.from({ length: count }, (_, i) => stanza(i)).join(''))
    const packed = execFileSync('xz', ['-1', '-zc', '-T2'], { input: text, maxBuffer: 1 << 30 })
    let largest = 0
    const seen = new PassThrough()
    seen.on('data', (chunk: Buffer) => (largest = Math.max(largest, chunk.length)))
    const table = await readPoolIndex(decompressStream(packed, 'Packages.xz', { faultOf: 'upstream' }).pipe(seen), 'Packages.xz')
    expect(table.size).toBe(count)
    expect(table.get(`pool/main/p/pkg${count - 1}/pkg${count - 1}_1.${count - 1}_amd64.deb`)).toEqual({ sha256: digest(count - 1), size: count - 1 })
    expect(text.length).toBeGreaterThan(10 * 1024 * 1024)
    expect(largest).toBeLessThanOrEqual(256 * 1024)
  }, 60_000)

  it('refuses what is not a deb822 index as upstream garbage, with the line', async () => {
    const html = await rejection(readPoolIndex(sliced('<html>\n<body>captive portal</body>\n', 5), 'Packages'))
    expect(isLarderError(html, 'E_UPSTREAM_GARBAGE')).toBe(true)
    expect((html as Error).message).toBe('Packages: line 1 is not "Field: value"')
    const orphan = await rejection(readPoolIndex(sliced(' continued\n', 3), 'Packages'))
    expect((orphan as Error).message).toBe('Packages: line 1 continues no field')
  })

  it('refuses an endless line instead of holding it', async () => {
    const huge = Readable.from(
      (function* () {
        for (let i = 0; i < 20; i++) yield Buffer.alloc(MAX_INDEX_LINE_LENGTH / 10, 0x61)
      })(),
      { objectMode: false },
    )
    const error = await rejection(readPoolIndex(huge, 'Packages'))
    expect(isLarderError(error, 'E_UPSTREAM_GARBAGE')).toBe(true)
    expect((error as Error).message).toMatch(/a line over/)
  })

  it('fails with the decoder when the compressed index is truncated', async () => {
    const packed = execFileSync('xz', ['-zc'], { input: Buffer.from(PACKAGES.repeat(2000)) })
    const error = await rejection(
      readPoolIndex(decompressStream(packed.subarray(0, packed.length - 20), 'Packages.xz', { faultOf: 'upstream' }), 'Packages.xz'),
    )
    expect(isLarderError(error, 'E_UPSTREAM_GARBAGE')).toBe(true)
    expect((error as Error).message).toMatch(/Packages\.xz is not valid xz data \(truncated/)
  })
})
