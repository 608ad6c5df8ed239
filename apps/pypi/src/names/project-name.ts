/** Project names: PEP 508 validity and PEP 503 normalization (the form used in URLs and cache keys). */
import { LarderError } from '@larder/core'

export const MAX_PROJECT_NAME_LENGTH = 200
const VALID_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i

export function isValidProjectName(name: string): boolean {
  return name.length <= MAX_PROJECT_NAME_LENGTH && VALID_NAME.test(name)
}

/** PEP 503: runs of -, _ and . become one -, lowercased. */
export function normalizeProjectName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase()
}

/** A project name as a client sent it (still percent-encoded); throws E_INVALID_NAME unless it is a valid name. */
export function parseProjectName(raw: string): { name: string; normalized: string } {
  let name: string
  try {
    name = decodeURIComponent(raw)
  } catch (cause) {
    throw new LarderError('E_INVALID_NAME', 'the project name is not valid percent-encoding', { cause })
  }
  if (!isValidProjectName(name)) {
    throw new LarderError('E_INVALID_NAME', `"${name.slice(0, 80)}" is not a valid project name`, {
      hint: 'project names are letters, digits, ".", "_" and "-", starting and ending with a letter or digit',
    })
  }
  return { name, normalized: normalizeProjectName(name) }
}
