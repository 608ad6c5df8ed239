import { randomBytes } from 'node:crypto'
import { open, writeFile } from 'node:fs/promises'
import { createServer, get, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { makeTempDir, type TempDir } from '@larder/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { SpoolFill } from '../flight/spool-fill.js'
import { FileRangeReader } from '../streams/file-range-reader.js'
import type { ReadsIntoReadable } from '../streams/reads-into.js'
import { SEND_BUFFERS, startReusingSender } from './send-reusing-buffers.js'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function tempDir(): Promise<TempDir> {
  const dir = await makeTempDir('larder-send-reusing-')
  cleanups.push(() => dir.cleanup())
  return dir
}

/** A real HTTP server whose one route sends the body `next()` gives it; the buffers it was handed are counted. */
async function serve(next: () => Promise<ReadsIntoReadable>) {
  const buffers = new Set<Buffer>()
  const failures: unknown[] = []
  const server: Server = createServer((_req, res: ServerResponse) => {
    void (async () => {
      const body = await next()
      const readInto = body.readInto.bind(body)
      body.readInto = (buffer: Buffer) => {
        buffers.add(buffer)
        return readInto(buffer)
      }
      try {
        const sender = await startReusingSender(body, res)
        res.writeHead(200)
        await sender.run()
      } catch (err) {
        failures.push(err)
        if (!res.headersSent) res.writeHead(502).end()
        else res.destroy()
      }
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(() => new Promise((resolve) => server.close(resolve)))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  return { url, buffers, failures }
}

function fetchAll(url: string): Promise<{ status: number; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, (res: IncomingMessage) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes: Buffer.concat(chunks) }))
      res.on('error', reject)
    }).on('error', reject)
  })
}

async function fileOf(bytes: Buffer): Promise<string> {
  const path = join((await tempDir()).path, 'blob')
  await writeFile(path, bytes)
  return path
}

describe('startReusingSender', () => {
  it('sends a whole file through at most SEND_BUFFERS buffers, byte for byte', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 123)
    const path = await fileOf(data)
    const server = await serve(async () => new FileRangeReader(await open(path)))
    const { status, bytes } = await fetchAll(server.url)
    expect(status).toBe(200)
    expect(bytes.equals(data)).toBe(true)
    expect(server.buffers.size).toBeGreaterThan(1)
    expect(server.buffers.size).toBeLessThanOrEqual(SEND_BUFFERS)
  })

  it('sends exactly the range a FileRangeReader was given', async () => {
    const data = randomBytes(300_000)
    const path = await fileOf(data)
    const server = await serve(async () => new FileRangeReader(await open(path), { start: 100, end: 200_099 }))
    const { bytes } = await fetchAll(server.url)
    expect(bytes.equals(data.subarray(100, 200_100))).toBe(true)
  })

  it('sends an empty file as an empty body', async () => {
    const path = await fileOf(Buffer.alloc(0))
    const server = await serve(async () => new FileRangeReader(await open(path)))
    expect(await fetchAll(server.url)).toEqual({ status: 200, bytes: Buffer.alloc(0) })
  })

  it('releases a reader waiting on a stalled fill as soon as its client leaves', async () => {
    const dir = await tempDir()
    const fill = await SpoolFill.create({ spoolDir: dir.path, label: 'stalled.tgz', maxBytes: 10 * 1024 * 1024, commit: async () => {} })
    const upstream = new PassThrough()
    const consumed = fill.consume(upstream)
    upstream.write(randomBytes(100_000))
    const reader = fill.reader()
    const closed = new Promise<void>((resolve) => reader.once('close', resolve))
    const server = await serve(async () => reader)
    await new Promise<void>((resolve, reject) => {
      const request = get(server.url, (res) => {
        res.once('data', () => {
          // The upstream has stalled: the reader is waiting for its next bytes when the client goes.
          request.destroy()
          resolve()
        })
      })
      request.on('error', () => {})
      request.on('close', resolve)
      request.on('timeout', reject)
    })
    await closed
    expect(fill.state).toBe('filling')
    upstream.end()
    await consumed
  })

  it('stops a body whose client leaves before its first byte, without reading on into a dead socket', async () => {
    const dir = await tempDir()
    const fill = await SpoolFill.create({ spoolDir: dir.path, label: 'waiting.tgz', maxBytes: 10 * 1024 * 1024, commit: async () => {} })
    const upstream = new PassThrough()
    const consumed = fill.consume(upstream)
    const reader = fill.reader()
    const closed = new Promise<void>((resolve) => reader.once('close', resolve))
    let handed!: () => void
    const started = new Promise<void>((resolve) => {
      handed = resolve
    })
    const server = await serve(async () => {
      handed()
      return reader
    })
    const request = get(server.url, () => {})
    request.on('error', () => {})
    await started
    request.destroy()
    // The upstream has sent nothing yet: the reader must close now, not once the fill ends.
    await closed
    expect(fill.written).toBe(0)
    upstream.end(randomBytes(1_000_000))
    await consumed
    expect(server.buffers.size).toBeLessThanOrEqual(1)
  })

  it('fails before the head when the body fails before its first byte', async () => {
    const dir = await tempDir()
    const fill = await SpoolFill.create({ spoolDir: dir.path, label: 'broken.tgz', maxBytes: 1024, commit: async () => {} })
    const upstream = new PassThrough()
    const consumed = fill.consume(upstream)
    const server = await serve(async () => fill.reader())
    const answer = fetchAll(server.url)
    upstream.destroy(new Error('upstream reset'))
    await consumed.catch(() => {})
    expect((await answer).status).toBe(502)
    expect(server.failures).toHaveLength(1)
  })
})
