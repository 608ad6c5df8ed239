/** What a command reads and writes besides files, passed in so that tests run commands in-process. */
import type { AnyMirrorDeclaration, Env } from '@larder/core'

export interface TextOut {
  write(text: string): unknown
  /** Progress is drawn only on a terminal. */
  isTTY?: boolean
}

export interface CliIo {
  stdout: TextOut
  stderr: TextOut
  env: Env
  /**
   * The mirrors of the server this command stands in for (its settings, its routes): the all-in-one server's list.
   * Loaded when a command first needs them: `prefetch --server` never does, and loading seven mirrors is a third
   * of the command's start.
   */
  mirrors: () => Promise<readonly AnyMirrorDeclaration[]>
}
