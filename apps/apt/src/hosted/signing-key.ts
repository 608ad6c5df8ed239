/**
 * Larder's own archive signing key: made on first start under the data dir (private key file mode 0600),
 * it signs the hosted repository's InRelease (clearsigned) and Release.gpg (detached) for apt's gpgv.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import * as openpgp from 'openpgp'
import { LarderError } from '@larder/core'

/** RSA rather than ed25519: every gpgv apt has ever shipped with can check it. */
export const DEFAULT_KEY_BITS = 3072
export const DEFAULT_KEY_USER_ID = 'Larder archive signing key'

export interface ArchiveSigner {
  readonly fingerprint: string
  /** The public key as an OpenPGP binary keyring (what `signed-by=*.gpg` reads). */
  readonly publicBinary: Uint8Array
  readonly publicArmored: string
  clearsign(text: string): Promise<string>
  detachSign(bytes: Uint8Array): Promise<string>
}

export async function loadOrCreateSigner(path: string): Promise<ArchiveSigner> {
  const armored = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined
    throw new LarderError('E_INVALID_OPTION', `cannot read the APT signing key ${path}`, { cause: err })
  })
  return toSigner(armored ?? (await createKeyFile(path)), path)
}

/** A new armored private key, unprotected (Larder signs unattended). */
export async function generateArmoredKey(): Promise<string> {
  const { privateKey } = await openpgp.generateKey({ type: 'rsa', rsaBits: DEFAULT_KEY_BITS, userIDs: [{ name: DEFAULT_KEY_USER_ID }], format: 'armored' })
  return privateKey
}

async function createKeyFile(path: string): Promise<string> {
  const privateKey = await generateArmoredKey()
  await mkdir(dirname(path), { recursive: true })
  try {
    // 'wx': two processes starting on one data dir must not each write a key; the loser reads the winner's.
    await writeFile(path, privateKey, { flag: 'wx', mode: 0o600 })
    return privateKey
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFile(path, 'utf8')
    throw new LarderError('E_INVALID_OPTION', `cannot write the APT signing key ${path}`, { cause: err })
  }
}

/** `path` names where the key came from (a file, or the shared store), for errors. */
export async function toSigner(armored: string, path: string): Promise<ArchiveSigner> {
  let key: openpgp.PrivateKey
  try {
    key = await openpgp.readPrivateKey({ armoredKey: armored })
  } catch (cause) {
    throw new LarderError('E_INVALID_OPTION', `${path} is not an armored OpenPGP private key`, { cause })
  }
  if (!key.isDecrypted())
    throw new LarderError('E_INVALID_OPTION', `${path} is passphrase-protected`, { hint: 'Larder signs unattended: give it a key without a passphrase' })
  const publicKey = key.toPublic()
  return {
    fingerprint: key.getFingerprint().toUpperCase(),
    publicBinary: publicKey.write(),
    publicArmored: publicKey.armor(),
    // As gpg --clearsign does: the last line break belongs to the armor, not to the signed text.
    clearsign: async (text) => openpgp.sign({ message: await openpgp.createCleartextMessage({ text: text.replace(/\n$/, '') }), signingKeys: key }),
    detachSign: async (bytes) => openpgp.sign({ message: await openpgp.createMessage({ binary: bytes }), signingKeys: key, detached: true }),
  }
}
