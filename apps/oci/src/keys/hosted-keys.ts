/**
 * Store keys of hosted images, under their own `oci-hosted:` namespace so nothing mirrored can be taken for them.
 * `repo` is the name below LARDER_OCI_HOSTED_NAME ('team/app'), so renaming the hosted name keeps the images.
 * Names, tags and digests are grammar-checked first: a name holds no '@' or ':', a digest no '/', so no key of one
 * repository is a prefix of another's.
 */

/** The repository's document (its tags), kept by HostedPackages. */
export const HOSTED_REPO_PREFIX = 'oci-hosted:repo:'

/** A blob this repository holds; the bytes are the store's content-addressed blob, shared by every holder. */
export function hostedBlobKey(repo: string, digest: string): string {
  return `oci-hosted:blob:${repo}@${digest}`
}

export function hostedManifestKey(repo: string, digest: string): string {
  return `oci-hosted:manifest:${repo}@${digest}`
}

/** Every referrer of `subject` in the repository starts with this (one entry per referring manifest). */
export function referrerPrefix(repo: string, subject: string): string {
  return `oci-hosted:referrer:${repo}@${subject}/`
}

export function referrerKey(repo: string, subject: string, digest: string): string {
  return `${referrerPrefix(repo, subject)}${digest}`
}

/** Upload sessions kept in the store (replicas on one database), by id: the chunks so far are the entry's parts. */
export const HOSTED_UPLOAD_PREFIX = 'oci-hosted:upload:'

export function hostedUploadKey(id: string): string {
  return `${HOSTED_UPLOAD_PREFIX}${id}`
}
