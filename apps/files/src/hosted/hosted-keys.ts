/** Store keys of hosted files and of the directory documents that list them, all in the `files-hosted:` namespace. */

export const HOSTED_NAMESPACE = 'files-hosted'
const FILE_PREFIX = `${HOSTED_NAMESPACE}:file:`
const DIR_PREFIX = `${HOSTED_NAMESPACE}:dir:`

/** `files-hosted:file:builds/app/1.0.tgz`: the store hashes keys, so a key never becomes a path. */
export function fileKey(repo: string, path: readonly string[]): string {
  return `${FILE_PREFIX}${[repo, ...path].join('/')}`
}

/** `files-hosted:dir:builds/app/`; the root (every repository) is `files-hosted:dir:/`. */
export function dirKey(dir: readonly string[]): string {
  return dir.length === 0 ? `${DIR_PREFIX}/` : `${DIR_PREFIX}${dir.join('/')}/`
}
