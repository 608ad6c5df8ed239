/** An item's resolve run to its artifacts: each round fetches the documents it asked for (NeedDocuments) and calls it again. */
import { documentKey, type LockedArtifact, type LockedItem } from '../lockfiles/locked-item.js'
import type { DocumentOutcome } from './fetch-check.js'
import { MAX_RESOLVE_ROUNDS, NeedDocuments } from './more-documents.js'

export interface Resolved {
  artifacts: LockedArtifact[]
  /** The documents fetched in later rounds, for the outcome (and so the pin and the export) like the item's own. */
  more: DocumentOutcome[]
  errors: string[]
}

/** `fetched` are the item's own indexes, in order; `fetchDocument` is the run's shared, limited fetch (bodies kept). */
export async function resolveInRounds(
  item: LockedItem & { resolve: NonNullable<LockedItem['resolve']> },
  fetched: readonly DocumentOutcome[],
  fetchDocument: (path: string, accept: string | undefined) => Promise<DocumentOutcome>,
): Promise<Resolved> {
  const bodies = new Map(item.indexes.map((doc, i) => [documentKey(doc), fetched[i]!.body ?? '']))
  const more: DocumentOutcome[] = []
  for (let round = 1; ; round++) {
    let asked: NeedDocuments
    try {
      return { artifacts: item.resolve(bodies), more, errors: [] }
    } catch (error) {
      if (!(error instanceof NeedDocuments)) return { artifacts: [], more, errors: [(error as Error).message] }
      asked = error
    }
    const fresh = asked.documents.filter((doc, i, all) => !bodies.has(documentKey(doc)) && all.findIndex((d) => documentKey(d) === documentKey(doc)) === i)
    if (fresh.length === 0) return { artifacts: [], more, errors: ['resolve asked again for documents it was given (a bug in the lockfile reader)'] }
    if (round >= MAX_RESOLVE_ROUNDS) return { artifacts: [], more, errors: [`still needs more documents after ${MAX_RESOLVE_ROUNDS} rounds: ${asked.message}`] }
    const outcomes = await Promise.all(fresh.map((doc) => fetchDocument(doc.path, doc.accept)))
    more.push(...outcomes)
    const errors = outcomes.flatMap((doc) => (doc.ok ? [] : [`${doc.path}: ${doc.error}`]))
    if (errors.length > 0) return { artifacts: [], more, errors }
    for (const [i, doc] of fresh.entries()) bodies.set(documentKey(doc), outcomes[i]!.body ?? '')
  }
}
