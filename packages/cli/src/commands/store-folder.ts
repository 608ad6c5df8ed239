/** The data folder a store command works on: LARDER_DATA_DIR read as the server reads it, a bad setting a usage error. */
import { isLarderError, loadConfig } from '@larder/core'
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
