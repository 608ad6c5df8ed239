/**
 * A 1 GiB file generated on the fly and piped into `curl --upload-file -` (chunked, no Content-Length) is
 * streamed to disk: the server's peak RSS stays far below the file's size, and the file comes back whole.
 */
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { readFile, readdir, writeFile } from 'node:fs/promises'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { run } from '@larder/testkit'
import { startLarder, type LarderServer } from '../support/larder-process.js'

const TOKEN = 'files-big-token-1'
const SIZE = 1024 ** 3
const CHUNK = 1024 * 1024
/** Streaming keeps a few chunks alive; V8 frees dead socket buffers in batches of some 64 MB (see test/ops/big-uploads.test.ts). */
const MAX_PEAK_BYTES = SIZE / 4

let larder: LarderServer

beforeAll(async () => {
  larder = await startLarder({ env: { LARDER_TOKENS: `ci=${TOKEN}:files`, LARDER_MAX_UPLOAD_MB: '2048', LARDER_FILES_UPSTREAMS: 'none' } })
})

afterAll(async () => {
  await larder?.stop()
})

/** 1 MiB of random bytes, each copy numbered, so no two chunks are alike and nothing compresses. */
function* generated(): Generator<Buffer> {
  const seed = randomBytes(CHUNK)
  for (let i = 0; i < SIZE / CHUNK; i++) {
    const chunk = Buffer.from(seed)
    chunk.writeUInt32BE(i, 0)
    yield chunk
  }
}

async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]) * 1024
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`

describe('a 1 GiB upload piped into curl', () => {
  it('is streamed to disk with flat memory, stored under its sha256, and served back whole', async () => {
    const target = `${larder.url}/files/big/images/disk-1g.img`
    // proc(5) clear_refs: VmHWM starts again from the current RSS, so the peak read after is this upload's.
    await writeFile(`/proc/${larder.pid}/clear_refs`, '5')
    const before = await peakRss(larder.pid)
    const child = spawn('curl', ['-sS', '--upload-file', '-', '-H', `Authorization: Bearer ${TOKEN}`, '-w', '\n%{http_code}', target], {
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => out.push(chunk))
    const exited = once(child, 'close')
    const hash = createHash('sha256')
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk)
        callback(null, chunk)
      },
    })
    await pipeline(Readable.from(generated()), hashing, child.stdin)
    const [code] = (await exited) as [number | null]
    const answer = Buffer.concat(out).toString('utf8')
    expect(code, answer + larder.output()).toBe(0)
    expect(answer.trim().split('\n').at(-1), answer).toBe('201')
    const sha256 = hash.digest('hex')
    expect(JSON.parse(answer.trim().split('\n')[0]!)).toMatchObject({ sha256, size: SIZE })
    const peak = await peakRss(larder.pid)
    console.info(`files: ${mb(SIZE)} upload, server peak RSS ${mb(peak)} (${mb(before)} before)`)
    expect(peak).toBeLessThan(MAX_PEAK_BYTES)
    // No spool file is left: the upload was renamed into the store.
    const leftovers = (await readdir(larder.dataDir, { recursive: true })).filter((path) => /(^|\/)upload-[^/]+$/.test(path))
    expect(leftovers).toEqual([])

    const downloaded = await run('sh', ['-c', `curl -fsS '${target}' | sha256sum`], { timeoutMs: 240_000 })
    expect(downloaded.stdout.split(' ')[0], downloaded.stderr).toBe(sha256)
    expect(await peakRss(larder.pid)).toBeLessThan(MAX_PEAK_BYTES)
  })
})
