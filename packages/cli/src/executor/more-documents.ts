/**
 * How a resolve asks for index documents it learns of only from others (an APT Release names its Packages
 * files, an OCI index its platform manifests): it throws NeedDocuments; the executor fetches them and calls
 * it again with those bodies added. A throw keeps `LockedItem.resolve` returning artifacts for every reader.
 */
import { documentKey, type DocumentBodies, type IndexDocument } from '../lockfiles/locked-item.js'

/** Deep enough for an index of indexes of manifests; a resolve still asking after this many rounds is failed. */
export const MAX_RESOLVE_ROUNDS = 8

export class NeedDocuments extends Error {
  override readonly name = 'NeedDocuments'

  constructor(readonly documents: readonly IndexDocument[]) {
    super(`resolve needs ${documents.length} more index documents: ${documents.map(documentKey).join(', ')}`)
  }
}

/** The bodies of `wanted`, in order; throws NeedDocuments for those not given yet. */
export function documentBodies(documents: DocumentBodies, wanted: readonly IndexDocument[]): string[] {
  const missing = wanted.filter((doc) => !documents.has(documentKey(doc)))
  if (missing.length > 0) throw new NeedDocuments(missing)
  return wanted.map((doc) => documents.get(documentKey(doc))!)
}
