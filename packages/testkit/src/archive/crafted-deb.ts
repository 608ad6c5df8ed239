/** Writes .deb files by hand (ar of debian-binary, control.tar.gz, data.tar.*), including hostile ones dpkg-deb refuses to build. */
import { gzipSync } from 'node:zlib'
import { writeTar, type TarEntryInput } from './tar-writer.js'

/** An ar archive as dpkg-deb writes one, members in order. */
export function writeAr(members: readonly [name: string, data: Buffer][]): Buffer {
  const parts: Buffer[] = [Buffer.from('!<arch>\n')]
  for (const [name, data] of members) {
    const header = `${name.padEnd(16)}${'0'.padEnd(12)}${'0'.padEnd(6)}${'0'.padEnd(6)}${'100644'.padEnd(8)}${String(data.length).padEnd(10)}\`\n`
    parts.push(Buffer.from(header, 'latin1'), data, data.length % 2 ? Buffer.from('\n') : Buffer.alloc(0))
  }
  return Buffer.concat(parts)
}

export interface CraftedDebInput {
  /** The control file's text. */
  control: string
  /** data.tar entries, e.g. `./usr/bin/tool`. */
  data: readonly TarEntryInput[]
  /** How data.tar is stored: `data.tar.gz` (default) or a caller-compressed member such as `['data.tar.xz', bytes]`. */
  dataMember?: [name: string, compress: (tar: Buffer) => Buffer]
}

export function writeCraftedDeb(input: CraftedDebInput): Buffer {
  const controlTar = gzipSync(
    writeTar([
      { name: './', type: 'directory' },
      { name: './control', data: input.control },
    ]),
  )
  const [dataName, compress] = input.dataMember ?? ['data.tar.gz', gzipSync]
  const dataTar = compress(writeTar([{ name: './', type: 'directory' }, ...input.data]))
  return writeAr([
    ['debian-binary', Buffer.from('2.0\n')],
    ['control.tar.gz', controlTar],
    [dataName, dataTar],
  ])
}
