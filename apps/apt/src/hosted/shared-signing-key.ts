/**
 * The signing key of replicas on one database: kept in the shared store, made once by whichever replica
 * starts first (under a cluster lease), so every replica signs InRelease with the key clients trust.
 */
import { readFile } from 'node:fs/promises'
import { LarderError, SECRETS_NAMESPACE, withHostLease, type LarderServices } from '@larder/core'
import { generateArmoredKey, toSigner, type ArchiveSigner } from './signing-key.js'

export const SHARED_SIGNING_KEY_ENTRY = `${SECRETS_NAMESPACE}:apt-signing-key`

/** `seedPath`: a key file of this replica's own (from before it had replicas) becomes the shared key rather than a new one. */
export async function loadOrCreateSharedSigner(services: LarderServices, seedPath: string): Promise<ArchiveSigner> {
  const { store } = services
  const armored = await withHostLease(services.leases, SHARED_SIGNING_KEY_ENTRY, async () => {
    const stored = await readStoredKey(services)
    if (stored !== undefined) return stored
    const seed = await readFile(seedPath, 'utf8').catch(() => undefined)
    const created = seed ?? (await generateArmoredKey())
    const blob = await store.putBlob(Buffer.from(created))
    await store.putEntry({ key: SHARED_SIGNING_KEY_ENTRY, status: 'ok', fetchedAt: Date.now(), blob: blob.sha256, size: blob.size })
    return created
  })
  return toSigner(armored, `the shared signing key (${SHARED_SIGNING_KEY_ENTRY} in the store)`)
}

async function readStoredKey(services: LarderServices): Promise<string | undefined> {
  const entry = await services.store.getEntry(SHARED_SIGNING_KEY_ENTRY)
  if (!entry?.blob) return undefined
  const body = await services.store.openBlob(entry.blob)
  if (!body)
    throw new LarderError('E_STORE', `the shared APT signing key's blob ${entry.blob} is missing from the store`, {
      hint: 'restore it from a backup; clients trust that key',
    })
  const chunks: Buffer[] = []
  for await (const chunk of body) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
