/** The all-in-one server's mirrors, for tests that run the command in this process (the server package owns the real list). */
import { aptMirror } from '@larder/apt'
import { composerMirror } from '@larder/composer'
import type { AnyMirrorDeclaration } from '@larder/core'
import { filesMirror } from '@larder/files'
import { gemsMirror } from '@larder/gems'
import { npmMirror } from '@larder/npm'
import { ociMirror } from '@larder/oci'
import { pypiMirror } from '@larder/pypi'

export const TEST_MIRRORS: readonly AnyMirrorDeclaration[] = [npmMirror, pypiMirror, composerMirror, gemsMirror, aptMirror, ociMirror, filesMirror]
