/** Writes tar archives in memory, including hostile ones (`../` names, links out of the package) that real tools refuse to make. */
import { gzipSync } from 'node:zlib'

export interface TarEntryInput {
  /** Stored exactly as given (up to 100 bytes): nothing is normalized, so `../evil` stays `../evil`. */
  name: string
  data?: string | Buffer
  type?: 'file' | 'directory' | 'symlink' | 'hardlink'
  /** The target of a symlink or hard link. */
  linkTarget?: string
  mode?: number
}

const BLOCK = 512
const TYPE_FLAGS = { file: '0', hardlink: '1', symlink: '2', directory: '5' } as const

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0'
}

function header(entry: TarEntryInput, size: number): Buffer {
  const type = entry.type ?? 'file'
  const block = Buffer.alloc(BLOCK)
  const put = (text: string, at: number, width: number) => {
    const bytes = Buffer.from(text, 'utf8')
    if (bytes.length > width) throw new Error(`tar-writer: "${text}" is longer than ${width} bytes`)
    bytes.copy(block, at)
  }
  put(entry.name, 0, 100)
  put(octal(entry.mode ?? (type === 'directory' ? 0o755 : 0o644), 8), 100, 8)
  put(octal(0, 8), 108, 8)
  put(octal(0, 8), 116, 8)
  put(octal(size, 12), 124, 12)
  put(octal(0, 12), 136, 12)
  put(TYPE_FLAGS[type], 156, 1)
  put(entry.linkTarget ?? '', 157, 100)
  put('ustar\u000000', 257, 8)
  block.fill(0x20, 148, 156)
  let sum = 0
  for (const byte of block) sum += byte
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8)
  return block
}

/** A plain tar of the entries, in order, ended by the two zero blocks. */
export function writeTar(entries: readonly TarEntryInput[]): Buffer {
  const parts: Buffer[] = []
  for (const entry of entries) {
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data) : (entry.data ?? Buffer.alloc(0))
    const size = (entry.type ?? 'file') === 'file' ? data.length : 0
    parts.push(header(entry, size))
    if (size > 0) parts.push(data, Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK))
  }
  parts.push(Buffer.alloc(BLOCK * 2))
  return Buffer.concat(parts)
}

export function writeTarGz(entries: readonly TarEntryInput[]): Buffer {
  return gzipSync(writeTar(entries))
}
