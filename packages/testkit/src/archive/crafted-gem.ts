/** Turns a real .gem into a hostile one: the same metadata.gz, another data.tar.gz (checksums.yaml.gz dropped, as it is optional). */
import { writeTar } from './tar-writer.js'

const BLOCK = 512

/** The members of a plain ustar archive with short names, such as the outer tar of a .gem. */
export function readTarMembers(tar: Buffer): Map<string, Buffer> {
  const members = new Map<string, Buffer>()
  for (let at = 0; at + BLOCK <= tar.length; ) {
    const header = tar.subarray(at, at + BLOCK)
    if (header.every((b) => b === 0)) break
    const name = header.toString('utf8', 0, 100).replace(/\0.*$/s, '')
    const size = parseInt(header.toString('latin1', 124, 136).replace(/\0.*$/s, '').trim() || '0', 8)
    members.set(name, tar.subarray(at + BLOCK, at + BLOCK + size))
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK
  }
  return members
}

export function replaceGemData(gem: Buffer, dataTarGz: Buffer): Buffer {
  const metadata = readTarMembers(gem).get('metadata.gz')
  if (!metadata) throw new Error('crafted-gem: the gem has no metadata.gz')
  return writeTar([
    { name: 'metadata.gz', data: metadata },
    { name: 'data.tar.gz', data: dataTarGz },
  ])
}
