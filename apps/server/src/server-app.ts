/** The all-in-one app: every Larder mirror, each declared by its own package, composed with the operations endpoints. */
import type { Hono } from 'hono'
import { aptMirror } from '@larder/apt'
import { composeMirrors, type AnyMirrorDeclaration, type LarderEnv, type LarderServices } from '@larder/core'
import { composerMirror } from '@larder/composer'
import { filesMirror } from '@larder/files'
import { gemsMirror } from '@larder/gems'
import { npmMirror } from '@larder/npm'
import { ociMirror } from '@larder/oci'
import { pypiMirror } from '@larder/pypi'

/** Adding a mirror: its package under apps/, one entry here, the compose file and the proxy config. */
export const MIRRORS: readonly AnyMirrorDeclaration[] = [npmMirror, pypiMirror, composerMirror, gemsMirror, aptMirror, ociMirror, filesMirror]

export function createServerApp(services: LarderServices): Hono<LarderEnv> {
  return composeMirrors(services, MIRRORS).app
}
