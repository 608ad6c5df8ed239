/** The store a command works on, read from the settings as the server reads them (LARDER_DATA_DIR, LARDER_STORE, LARDER_DATABASE_URL); a bad setting is a usage error. */
import { isLarderError, loadConfig, openCommandStore, type CommandStore } from '@larder/core'
import type { CliIo } from './cli-io.js'
import { UsageError } from './usage.js'

export async function dataFolder(io: CliIo): Promise<string> {
  const mirrors = await io.mirrors()
  try {
    return loadConfig(io.env, { mirrors }).dataDir
  } catch (error) {
    if (isLarderError(error)) throw new UsageError(`cannot open the store: ${error.message}`)
    throw error
  }
}

/** The configured store (a folder, or a bucket with its index in PostgreSQL); close it when done. */
export async function commandStore(io: CliIo): Promise<CommandStore> {
  const mirrors = await io.mirrors()
  try {
    return openCommandStore(loadConfig(io.env, { mirrors }))
  } catch (error) {
    if (isLarderError(error)) throw new UsageError(`cannot open the store: ${error.message}`)
    throw error
  }
}
