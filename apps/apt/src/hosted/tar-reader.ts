/** Finds one regular file in a tar archive (ustar, GNU long names); enough to read a .deb's control file. */

const BLOCK = 512

function text(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length)
  const end = raw.indexOf(0)
  return raw.toString('utf8', 0, end < 0 ? raw.length : end)
}

/** The bytes of `wanted` (matched as `wanted` or `./wanted`), or undefined. */
export function readTarFile(tar: Buffer, wanted: string): Buffer | undefined {
  let offset = 0
  let longName: string | undefined
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK)
    if (header.every((b) => b === 0)) return undefined
    const size = parseInt(text(header, 124, 12).trim() || '0', 8)
    if (!Number.isSafeInteger(size) || size < 0) return undefined
    const type = String.fromCharCode(header[156] ?? 0)
    const dataStart = offset + BLOCK
    const data = tar.subarray(dataStart, dataStart + size)
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK
    if (type === 'L') {
      longName = text(data, 0, data.length)
      continue
    }
    const prefix = text(header, 345, 155)
    const name = longName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100))
    longName = undefined
    if ((type === '0' || type === '\0') && name.replace(/^\.\//, '') === wanted) return Buffer.from(data)
  }
  return undefined
}
