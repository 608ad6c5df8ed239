/** The PostgreSQL driver, loaded on first use: a Larder without LARDER_DATABASE_URL never holds it. */
import { createRequire } from 'node:module'
import type pg from 'pg'

const require = createRequire(import.meta.url)
let loaded: typeof pg | undefined

export function pgModule(): typeof pg {
  loaded ??= require('pg') as typeof pg
  return loaded
}
