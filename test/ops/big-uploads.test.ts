/** ~100 MB uploads to PyPI (multipart), RubyGems (raw .gem) and Composer (raw zip) are streamed to disk: the server's peak RSS grows far less than the upload, and one cut off leaves nothing behind. */
import { createHash, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { readFile, readdir, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildGem, replaceGemData, writeTarGz, writeZip, type PythonDist } from '@larder/testkit'
import { bigWheel } from '../faults/big-payload.js'
import { startLarder, type LarderServer } from '../support/larder-process.js'

const TOKEN = 'upload-memory-token-1'
const UPLOAD_BYTES = 100 * 1024 * 1024
/**
 * How far the peak RSS may rise during one upload. Streaming keeps no more than a few chunks alive,
 * but V8 frees dead socket buffers only after some 64 MB of them (its external-memory GC trigger),
 * so even a cold process peaks at about +67 MB, for 100 MB as for 300 MB. The reader this replaced
 * held the body twice (chunks, then their concatenation): +231 MB for the same upload.
 */
const MAX_GROWTH_BYTES = 80 * 1024 * 1024

let larder: LarderServer
let wheel: PythonDist
let gem: Buffer
let zip: Buffer

beforeAll(async () => {
  // Every payload is made before the server starts: idle gaps between the uploads stay short.
  wheel = bigWheel('big-upload', '1.0', UPLOAD_BYTES)
  gem = replaceGemData(
    (await buildGem({ name: 'big-upload', version: '1.0.0' })).bytes,
    writeTarGz([{ name: 'lib/payload.bin', data: randomBytes(UPLOAD_BYTES) }]),
  )
  zip = writeZip([
    { name: 'composer.json', data: JSON.stringify({ name: 'team/big', version: '1.0.0' }) },
    { name: 'payload.bin', data: randomBytes(UPLOAD_BYTES), stored: true },
  ])
  larder = await startLarder({
    env: {
      LARDER_TOKENS: `ci=${TOKEN}:*`,
      LARDER_PYPI_PRIVATE_NAMES: 'big-upload',
      LARDER_GEMS_PRIVATE_NAMES: 'big-upload',
      LARDER_COMPOSER_PRIVATE_NAMES: 'team/*',
    },
  })
}, 300_000)

afterAll(async () => {
  await larder?.stop()
})

/** VmHWM (peak resident set since the last reset) and VmRSS of the Larder process, in bytes. */
async function memoryOf(pid: number): Promise<{ peak: number; now: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024
  return { peak: kb('VmHWM'), now: kb('VmRSS') }
}

/** Sends one upload and reports how far the server's peak RSS rose above its RSS just before. */
async function measuredUpload(request: () => Promise<Response>): Promise<{ status: number; growth: number; peak: number }> {
  // proc(5) clear_refs: VmHWM starts again from the current RSS, so the next peak is this upload's own.
  await writeFile(`/proc/${larder.pid}/clear_refs`, '5')
  const before = await memoryOf(larder.pid)
  const res = await request()
  await res.text()
  const after = await memoryOf(larder.pid)
  return { status: res.status, growth: after.peak - before.now, peak: after.peak }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

function twineForm(fields: Record<string, string>, filename: string, file: Buffer): { body: Buffer; contentType: string } {
  const boundary = 'uploadMemoryBoundary'
  const parts = Object.entries(fields).map(([name, value]) =>
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
  )
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="content"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  )
  return { body: Buffer.concat([...parts, head, file, Buffer.from(`\r\n--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary=${boundary}` }
}

describe('a ~100 MB upload', () => {
  it('to PyPI (multipart, as twine sends it; the first in a cold process) is spooled, not held', async () => {
    const form = twineForm(
      { ':action': 'file_upload', protocol_version: '1', name: 'big-upload', version: '1.0', filetype: 'bdist_wheel', sha256_digest: wheel.sha256 },
      wheel.filename,
      wheel.bytes,
    )
    const auth = `Basic ${Buffer.from(`__token__:${TOKEN}`).toString('base64')}`
    const result = await measuredUpload(() =>
      fetch(`${larder.url}/pypi/`, { method: 'POST', headers: { authorization: auth, 'content-type': form.contentType }, body: form.body }),
    )
    console.info(`PyPI: ${mb(wheel.bytes.length)} wheel, peak RSS ${mb(result.peak)}, ${mb(result.growth)} over the RSS before`)
    expect(result.status, larder.output()).toBe(200)
    expect(result.growth).toBeLessThan(MAX_GROWTH_BYTES)
    const served = await fetch(`${larder.url}/pypi/simple/big-upload/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })
    const page = (await served.json()) as { files: { filename: string; url: string; hashes: { sha256: string } }[] }
    expect(page.files.map((f) => [f.filename, f.hashes.sha256])).toEqual([[wheel.filename, wheel.sha256]])
    const file = await fetch(new URL(page.files[0]!.url, served.url))
    expect(sha256(Buffer.from(await file.arrayBuffer()))).toBe(wheel.sha256)
  })

  it('to RubyGems (the raw .gem) is spooled, and its data.tar.gz walked as it streams', async () => {
    const result = await measuredUpload(() =>
      fetch(`${larder.url}/gems/api/v1/gems`, { method: 'POST', headers: { authorization: TOKEN, 'content-type': 'application/octet-stream' }, body: gem }),
    )
    console.info(`RubyGems: ${mb(gem.length)} gem, peak RSS ${mb(result.peak)}, ${mb(result.growth)} over the RSS before`)
    expect(result.status, larder.output()).toBe(200)
    expect(result.growth).toBeLessThan(MAX_GROWTH_BYTES)
    const served = await fetch(`${larder.url}/gems/gems/big-upload-1.0.0.gem`)
    expect(sha256(Buffer.from(await served.arrayBuffer()))).toBe(sha256(gem))
  })

  it('to Composer (the raw zip) is spooled, and only its central directory and composer.json read', async () => {
    const result = await measuredUpload(() =>
      fetch(`${larder.url}/composer/upload`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/zip' }, body: zip }),
    )
    console.info(`Composer: ${mb(zip.length)} zip, peak RSS ${mb(result.peak)}, ${mb(result.growth)} over the RSS before`)
    expect(result.status, larder.output()).toBe(201)
    expect(result.growth).toBeLessThan(MAX_GROWTH_BYTES)
  })
})

/** Upload files in the store's spool folders (tmp/<process>/upload-*). */
async function spooledUploads(): Promise<string[]> {
  return (await readdir(larder.dataDir, { recursive: true })).filter((path) => /(^|\/)upload-[^/]+$/.test(path))
}

async function waitFor(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    if (await condition()) return
    await sleep(100)
  }
  throw new Error(`timed out waiting until ${what}`)
}

describe('an upload cut off by the client', () => {
  it('is dropped: its partial spool file is deleted and nothing is published', async () => {
    const socket = connect(larder.port, '127.0.0.1')
    await once(socket, 'connect')
    socket.on('error', () => {})
    socket.write(
      `PUT /composer/upload HTTP/1.1\r\nHost: 127.0.0.1:${larder.port}\r\nAuthorization: Bearer ${TOKEN}\r\n` +
        `Content-Type: application/zip\r\nContent-Length: ${UPLOAD_BYTES}\r\n\r\n`,
    )
    socket.write(zip.subarray(0, 8 * 1024 * 1024))
    await waitFor(async () => (await spooledUploads()).length > 0, 'the upload is being spooled')
    socket.destroy()
    await waitFor(async () => (await spooledUploads()).length === 0, 'the partial spool file is gone')
    await waitFor(async () => (await larder.requests()).some((r) => r.path === '/composer/upload' && r.status === 400), 'the request is logged as refused')
  })
})
