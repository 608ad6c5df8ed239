/** Unpacks gzip (zlib), xz and zstd (the xz and zstd programs: Node 20 has neither codec) as found in .debs and Debian indexes. */
import { spawn } from 'node:child_process'
import { gunzipSync } from 'node:zlib'
import { LarderError } from '@larder/core'

export type Compression = 'gzip' | 'xz' | 'zstd' | 'none'

export const DEFAULT_MAX_DECOMPRESSED_BYTES = 512 * 1024 * 1024

/** The compression of a file by its magic bytes. */
export function sniffCompression(bytes: Uint8Array): Compression {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'gzip'
  if (bytes[0] === 0xfd && bytes[1] === 0x37 && bytes[2] === 0x7a && bytes[3] === 0x58 && bytes[4] === 0x5a) return 'xz'
  if (bytes[0] === 0x28 && bytes[1] === 0xb5 && bytes[2] === 0x2f && bytes[3] === 0xfd) return 'zstd'
  return 'none'
}

export async function decompress(bytes: Buffer, label: string, maxBytes = DEFAULT_MAX_DECOMPRESSED_BYTES): Promise<Buffer> {
  const compression = sniffCompression(bytes)
  try {
    if (compression === 'none') return bytes
    if (compression === 'gzip') return gunzipSync(bytes, { maxOutputLength: maxBytes })
    return await viaProgram(compression === 'xz' ? 'xz' : 'zstd', bytes, maxBytes)
  } catch (cause) {
    if (cause instanceof LarderError) throw cause
    throw new LarderError('E_BAD_REQUEST', `${label} is not valid ${compression} data`, { cause })
  }
}

function viaProgram(program: 'xz' | 'zstd', input: Buffer, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] })
    const chunks: Buffer[] = []
    let total = 0
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      total += chunk.length
      if (total > maxBytes) child.kill('SIGKILL')
      else chunks.push(chunk)
    })
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.stdin.on('error', () => {
      // The program may stop reading early (bad input); its exit status tells why.
    })
    child.once('error', (err) =>
      reject(new LarderError('E_INTERNAL', `cannot run ${program} to unpack ${program} data`, { cause: err, hint: `install ${program === 'xz' ? 'xz-utils' : 'zstd'}` })),
    )
    child.once('close', (code) => {
      if (total > maxBytes) return reject(new LarderError('E_TOO_LARGE', `unpacked data is over ${maxBytes} bytes`))
      if (code !== 0) return reject(new Error(`${program} -dc exited with ${code}: ${stderr.trim()}`))
      resolve(Buffer.concat(chunks))
    })
    child.stdin.end(input)
  })
}
