/**
 * Cross-repository mounts (`POST .../blobs/uploads/?mount=<digest>&from=<name>`): the blob is linked into the
 * repository without an upload when `from` holds it — another hosted repository, or a mirrored one whose cached copy
 * was verified against its digest when it was fetched. Anything else is no mount, and the client uploads instead.
 */
import type { OciSettings } from '../settings/oci-settings.js'
import { blobKey } from '../keys/oci-keys.js'
import { digestHex } from '../names/oci-grammar.js'
import { parseName } from '../names/oci-path.js'
import { resolveTarget } from '../names/upstream-target.js'
import type { HostedRepos } from './hosted-repos.js'

/** Whether `repo` holds the blob after this (it may have already); never throws for a `from` that names nothing. */
export async function mountBlob(repos: HostedRepos, settings: OciSettings, repo: string, digest: string, from: string | undefined): Promise<boolean> {
  if (await repos.blob(repo, digest)) return true
  const size = from === undefined ? undefined : await sizeIn(repos, settings, from, digest)
  if (size === undefined) return false
  await repos.change(repo, () => repos.linkBlob(repo, digest, size))
  return true
}

/** The blob's size where `from` holds it, when it does and its bytes are in the store. */
async function sizeIn(repos: HostedRepos, settings: OciSettings, from: string, digest: string): Promise<number | undefined> {
  let target: ReturnType<typeof resolveTarget>
  try {
    target = resolveTarget(parseName(from.split('/')), undefined, settings)
  } catch {
    return undefined
  }
  const entry = target.kind === 'hosted' ? await repos.blob(target.repo, digest) : await repos.store.getEntry(blobKey(target.upstream, digest))
  if (entry?.status !== 'ok' || entry.blob !== digestHex(digest)) return undefined
  return (await repos.store.statBlob(entry.blob))?.size
}
