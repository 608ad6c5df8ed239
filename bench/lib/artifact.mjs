/** A big npm "tarball" of random bytes with its digests: Larder checks the digest, not the format. */
import { createHash, randomFillSync } from 'node:crypto'

/** `{ pkg, sha256 }`: `pkg` is a PackedPackage for the testkit npm registry fixture; random bytes do not compress. */
export function makeArtifact({ name, version, size }) {
  const tarball = randomFillSync(Buffer.allocUnsafe(size))
  const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`
  const pkg = {
    name,
    version,
    filename: `${name.split('/').pop()}-${version}.tgz`,
    tarball,
    integrity,
    shasum: createHash('sha1').update(tarball).digest('hex'),
    fileCount: 1,
    unpackedSize: size,
    manifest: { name, version, license: 'MIT' },
    readme: '',
  }
  return { pkg, sha256: createHash('sha256').update(tarball).digest('hex') }
}
