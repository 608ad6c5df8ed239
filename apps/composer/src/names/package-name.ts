/** Composer package names (vendor/name), checked with Composer's own pattern before any lookup. */
import { LarderError } from '@larder/core'

/** The pattern composer validate enforces for `name` (lowercase only). */
export const PACKAGE_NAME_PATTERN = /^[a-z0-9]([_.-]?[a-z0-9]+)*\/[a-z0-9](([_.]|-{1,2})?[a-z0-9]+)*$/

export function isPackageName(name: string): boolean {
  return name.length <= 200 && PACKAGE_NAME_PATTERN.test(name)
}

export function assertPackageName(name: unknown, what = 'the package name'): string {
  if (typeof name !== 'string' || !isPackageName(name)) {
    throw new LarderError('E_INVALID_NAME', `${what} ${JSON.stringify(name)} is not a valid Composer name`, {
      hint: 'names are lowercase vendor/name, e.g. acme/string-utils',
    })
  }
  return name
}
