/** The access policy the matrix asserts, cell by cell, and the request each cell sends (token in the form its ecosystem's clients use). */
import { METHODS, TOKEN_KINDS, type Ecosystem, type Method, type RouteRow, type TokenKind } from './authz-routes.js'

export const TOKENS: Record<Ecosystem, string> = {
  npm: 'authz-npm-token',
  pypi: 'authz-pypi-token',
  composer: 'authz-composer-token',
  gems: 'authz-gems-token',
  apt: 'authz-apt-token',
}
/** One token per ecosystem, each scoped to that ecosystem only. */
export const LARDER_TOKENS = Object.entries(TOKENS)
  .map(([ecosystem, token]) => `${ecosystem}-ci=${token}:${ecosystem}`)
  .join(',')
const WRONG_TOKEN = 'authz-not-a-configured-token'

export interface Cell {
  protectReads: boolean
  row: RouteRow
  method: Method
  token: TokenKind
  expected: number
  /** Refused by the token or method check: the request must never reach an upstream. */
  refused: boolean
}

/**
 * The policy: with reads protected, nothing happens for a request without a token of the row's
 * ecosystem (401 none or unknown, 403 another ecosystem's), login excepted; a write needs that token
 * in every mode; a method the route does not list is 405.
 */
export function expectedCell(row: RouteRow, method: Method, token: TokenKind, protectReads: boolean): Pick<Cell, 'expected' | 'refused'> {
  const tokenRefusal = token === 'right' ? undefined : token === 'other' ? 403 : 401
  const own = row.own?.[method]
  if (own) return { expected: own[token], refused: own[token] === 401 || own[token] === 403 }
  if (protectReads && tokenRefusal) return { expected: tokenRefusal, refused: true }
  if (row.all !== undefined) return { expected: row.all, refused: false }
  const read = row.read?.[method]
  if (read !== undefined) return { expected: read, refused: false }
  const write = row.write?.[method]
  if (write !== undefined) return tokenRefusal ? { expected: tokenRefusal, refused: true } : { expected: write, refused: false }
  return { expected: 405, refused: true }
}

export function allCells(rows: RouteRow[], modes: readonly boolean[]): Cell[] {
  return modes.flatMap((protectReads) =>
    rows.flatMap((row) =>
      METHODS.flatMap((method) => TOKEN_KINDS.map((token) => ({ protectReads, row, method, token, ...expectedCell(row, method, token, protectReads) }))),
    ),
  )
}

function tokenValue(ecosystem: Ecosystem, kind: TokenKind): string | undefined {
  if (kind === 'none') return undefined
  if (kind === 'wrong') return WRONG_TOKEN
  if (kind === 'other') return ecosystem === 'npm' ? TOKENS.pypi : TOKENS.npm
  return TOKENS[ecosystem]
}

/** twine sends Basic __token__:<token>, gem the bare key, the others Bearer. */
function authorization(ecosystem: Ecosystem, token: string): string {
  if (ecosystem === 'pypi') return `Basic ${Buffer.from(`__token__:${token}`).toString('base64')}`
  if (ecosystem === 'gems') return token
  return `Bearer ${token}`
}

/** Sends the cell's request to the Larder at `base` and answers its status (redirects not followed). */
export async function sendCell(base: string, cell: Cell): Promise<number> {
  const token = tokenValue(cell.row.ecosystem, cell.token)
  const headers: Record<string, string> = token ? { authorization: authorization(cell.row.ecosystem, token) } : {}
  const hasBody = cell.method !== 'GET' && cell.method !== 'HEAD'
  const res = await fetch(`${base}${cell.row.path}`, {
    method: cell.method,
    headers,
    redirect: 'manual',
    ...(hasBody ? { body: cell.row.body?.(token) ?? 'x' } : {}),
  })
  await res.arrayBuffer()
  return res.status
}

/** Runs `fn` over `items`, at most `limit` at a time. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      out[index] = await fn(items[index]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}
