/** Reads the core metadata file (`*.dist-info/METADATA`) out of a wheel. */
import { readZipEntry, type ReadRange } from './zip-entry.js'

export { bufferReader, withFileReader, type ReadRange } from './zip-entry.js'

/**
 * The METADATA of the wheel's `{distribution}-{version}.dist-info` directory, or undefined when the
 * file is not a wheel Larder can read (no such entry, zip64, unknown compression, corrupt).
 */
export function readWheelMetadata(size: number, read: ReadRange, distInfoPrefix?: string): Promise<Buffer | undefined> {
  return readZipEntry(size, read, (path) => isMetadataPath(path, distInfoPrefix))
}

function isMetadataPath(name: string, distInfoPrefix: string | undefined): boolean {
  const match = /^([^/]+)\.dist-info\/METADATA$/.exec(name)
  if (!match) return false
  // Names in the directory are normalized with underscores; compare case-insensitively.
  return distInfoPrefix === undefined || match[1]!.toLowerCase() === distInfoPrefix.toLowerCase()
}

/** `{distribution}-{version}` of a wheel file name, the dist-info directory it must contain. */
export function distInfoPrefixOf(wheelFilename: string): string | undefined {
  const parts = wheelFilename.replace(/\.whl$/, '').split('-')
  return parts.length >= 5 ? `${parts[0]}-${parts[1]}` : undefined
}
