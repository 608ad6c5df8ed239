/** The digests an uploader may declare (X-Checksum-Sha256, -Sha1, -Md5), and the check of the body against them. */
import { LarderError, type DigestAlgorithm, type SpooledFile } from '@larder/core'

export type DeclaredAlgorithm = Extract<DigestAlgorithm, 'sha256' | 'sha1' | 'md5'>
export const CHECKSUM_HEADERS: Readonly<Record<DeclaredAlgorithm, string>> = {
  sha256: 'x-checksum-sha256',
  sha1: 'x-checksum-sha1',
  md5: 'x-checksum-md5',
}
const HEX_LENGTH: Readonly<Record<DeclaredAlgorithm, number>> = { sha256: 64, sha1: 40, md5: 32 }
const HEADER_NAMES: Readonly<Record<DeclaredAlgorithm, string>> = { sha256: 'X-Checksum-Sha256', sha1: 'X-Checksum-Sha1', md5: 'X-Checksum-Md5' }

export type DeclaredDigests = Partial<Record<DeclaredAlgorithm, string>>

/** The declared digests, lower case; a malformed one is refused before any byte of the body is read. */
export function readDeclaredDigests(header: (name: string) => string | undefined): DeclaredDigests {
  const declared: DeclaredDigests = {}
  for (const algorithm of Object.keys(CHECKSUM_HEADERS) as DeclaredAlgorithm[]) {
    const value = header(CHECKSUM_HEADERS[algorithm])?.trim()
    if (value === undefined || value === '') continue
    if (!new RegExp(`^[0-9a-fA-F]{${HEX_LENGTH[algorithm]}}$`).test(value)) {
      throw new LarderError('E_BAD_REQUEST', `${HEADER_NAMES[algorithm]} must be ${HEX_LENGTH[algorithm]} hex digits`, {
        hint: `send the output of ${algorithm}sum, or leave the header out`,
      })
    }
    declared[algorithm] = value.toLowerCase()
  }
  return declared
}

/** Algorithms to hash the body with besides sha256 (always computed: it is the store's address). */
export function extraAlgorithms(declared: DeclaredDigests): DigestAlgorithm[] {
  return (['sha1', 'md5'] as const).filter((algorithm) => declared[algorithm] !== undefined)
}

/** 400 naming the first declared digest the body does not have; nothing has been stored yet. */
export function verifyDeclared(what: string, declared: DeclaredDigests, file: SpooledFile): void {
  for (const [algorithm, want] of Object.entries(declared) as [DeclaredAlgorithm, string][]) {
    const got = algorithm === 'sha256' ? file.sha256 : file.digests[algorithm]
    if (got !== want) {
      throw new LarderError('E_BAD_REQUEST', `${what}: the body's ${algorithm} is ${got}, ${HEADER_NAMES[algorithm]} says ${want}; nothing was stored`, {
        hint: 'the upload was damaged on the way, or the header names another file; send it again',
      })
    }
  }
}
