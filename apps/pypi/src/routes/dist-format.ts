/** The container format a distribution file is in, from its name (PEP 427 wheels and eggs are zips; sdists per PEP 625 and before). */
import { BZIP2_FORMAT, GZIP_FORMAT, TAR_FORMAT, XZ_FORMAT, ZIP_FORMAT, type ArtifactFormat } from '@larder/core'

const BY_SUFFIX: ReadonlyArray<[string, ArtifactFormat]> = [
  ['.whl', ZIP_FORMAT],
  ['.egg', ZIP_FORMAT],
  ['.zip', ZIP_FORMAT],
  ['.tar.gz', GZIP_FORMAT],
  ['.tgz', GZIP_FORMAT],
  ['.tar.bz2', BZIP2_FORMAT],
  ['.tar.xz', XZ_FORMAT],
  ['.tar', TAR_FORMAT],
]

/** Undefined for a kind Larder does not know (.exe, .msi, .rpm): those are stored as their digest allows. */
export function distFormat(filename: string): ArtifactFormat | undefined {
  const lower = filename.toLowerCase()
  return BY_SUFFIX.find(([suffix]) => lower.endsWith(suffix))?.[1]
}
