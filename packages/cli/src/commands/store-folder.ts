/** The store a command works on, read from the settings as the server reads them (LARDER_DATA_DIR, LARDER_STORE, LARDER_DATABASE_URL); a bad setting is a usage error. */
import { isLarderError, loadConfig, openCommandStore, type CommandStore } from '@larder/core'
import type { CliIo } from './cli-io.js'
import { UsageError } from './usage.js'

export function dataFolder(io: CliIo): string {
  try {
    return loadConfig(io.env, { mirrors: io.mirrors }).dataDir
  } catch (error) {
    if (isLarderError(error)) throw new UsageError(`cannot open the store: ${error.message}`)
    throw error
  }
}

/** The configured store (a folder, or a bucket with its index in PostgreSQL); close it when done. */
export function commandStore(io: CliIo): CommandStore {
  try {
    return openCommandStore(loadConfig(io.env, { mirrors: io.mirrors }))
  } catch (error) {
    if (isLarderError(error)) throw new UsageError(`cannot open the store: ${error.message}`)
    throw error
  }
}
