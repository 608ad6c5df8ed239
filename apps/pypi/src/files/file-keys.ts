/** Cache keys of mirrored files and metadata files: by project, sha256 (or '-') and file name. */

export const FILE_KEY_PREFIX = 'pypi:file:'
export const METADATA_KEY_PREFIX = 'pypi:metadata:'

export function fileKey(project: string, sha256Segment: string, filename: string): string {
  return `${FILE_KEY_PREFIX}${project}/${sha256Segment}/${filename}`
}

export function metadataKey(project: string, sha256Segment: string, filename: string): string {
  return `${METADATA_KEY_PREFIX}${project}/${sha256Segment}/${filename}`
}
