/** The OpenPGP public keys of each archive's keyring file (binary like /usr/share/keyrings/*.gpg, or armored), read again when the file changes. */
import { readFile, stat } from 'node:fs/promises'
import * as openpgp from 'openpgp'
import { LarderError } from '@larder/core'

interface ReadKeyring {
  /** mtime and size when read: a package upgrade that adds a key replaces the file. */
  version: string
  keys: Promise<openpgp.Key[]>
}

const ARMORED_BLOCK = /-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]*?-----END PGP PUBLIC KEY BLOCK-----/g

export class ArchiveKeyrings {
  private readonly read = new Map<string, ReadKeyring>()

  /** The keys in `path`; a missing or unreadable keyring is E_INTEGRITY, so the previous generation stays served. */
  async keys(path: string): Promise<openpgp.Key[]> {
    const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
      throw new LarderError('E_INTEGRITY', `cannot check the signature: the keyring ${path} cannot be read (${err.code})`, {
        cause: err,
        hint: path.startsWith('/usr/share/keyrings/')
          ? 'install the package that ships it (debian-archive-keyring) or set LARDER_APT_KEYRINGS'
          : 'check LARDER_APT_KEYRINGS',
      })
    })
    const version = `${info.mtimeMs}:${info.size}`
    const known = this.read.get(path)
    if (known?.version === version) return known.keys
    const keys = readKeyring(path)
    this.read.set(path, { version, keys })
    keys.catch(() => this.read.get(path)?.keys === keys && this.read.delete(path))
    return keys
  }
}

async function readKeyring(path: string): Promise<openpgp.Key[]> {
  const bytes = await readFile(path).catch((err: NodeJS.ErrnoException) => {
    throw new LarderError('E_INTEGRITY', `cannot check the signature: the keyring ${path} cannot be read (${err.code})`, { cause: err })
  })
  try {
    const text = bytes.subarray(0, 64).toString('latin1')
    if (!text.trimStart().startsWith('-----BEGIN PGP')) return await openpgp.readKeys({ binaryKeys: bytes })
    // `cat a.asc b.asc` is a keyring too: every armored block counts.
    const keys: openpgp.Key[] = []
    for (const [block] of bytes.toString('utf8').matchAll(ARMORED_BLOCK)) keys.push(...(await openpgp.readKeys({ armoredKeys: block })))
    if (keys.length === 0) throw new Error('no public key block')
    return keys
  } catch (cause) {
    throw new LarderError('E_INTEGRITY', `cannot check the signature: ${path} is not an OpenPGP public keyring (${(cause as Error).message})`, { cause })
  }
}
