/** Every command's arguments read one way: node:util parseArgs, strict, positionals allowed, its complaints usage errors (exit 2). */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util'
import { UsageError } from './usage.js'

export function parseCommandArgs<const Options extends ParseArgsOptionsConfig>(args: readonly string[], options: Options) {
  try {
    return parseArgs({ args: [...args], allowPositionals: true, strict: true, options })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}
