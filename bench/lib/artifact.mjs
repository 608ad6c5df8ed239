/** A big npm "tarball" of random bytes with its digests: Larder checks the digest, not the format. */
import { createHash, randomFillSync } from 'node:crypto'

/** `{ pkg, sha256 }`: `pkg` is a PackedPackage for the testkit npm registry fixture; random bytes do not compress. */
export function makeArtifact({ name, version, size }) {
  const tarball = Buffer.allocUnsafe(size)
  for (let at = 0; at < size; at += SLICE_BYTES) randomFillSync(tarball, at, Math.min(SLICE_BYTES, size - at))
  const integrity = `sha512-${digestOf('sha512', tarball, 'base64')}`
  const pkg = {
    name,
    version,
    filename: `${name.split('/').pop()}-${version}.tgz`,
    tarball,
    integrity,
    shasum: digestOf('sha1', tarball, 'hex'),
    fileCount: 1,
    unpackedSize: size,
    manifest: { name, version, license: 'MIT' },
    readme: '',
  }
  return { pkg, sha256: digestOf('sha256', tarball, 'hex') }
}

/** crypto takes at most 2 GB per call: a 2 GB artifact is filled and hashed in slices. */
const SLICE_BYTES = 256 * 1024 * 1024

function digestOf(algorithm, bytes, encoding) {
  const hash = createHash(algorithm)
  for (let at = 0; at < bytes.length; at += SLICE_BYTES) hash.update(bytes.subarray(at, at + SLICE_BYTES))
  return hash.digest(encoding)
}
