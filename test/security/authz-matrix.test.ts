/**
 * Every route family of every app × GET HEAD POST PUT DELETE PATCH × {no token, unknown token, another
 * ecosystem's token, the ecosystem's token}, against the real all-in-one server with LARDER_PROTECT_READS
 * off and on: each cell's status as authz-routes.ts and the policy in authz-cells.ts say, and no refused
 * request ever reaching an upstream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLarder, type LarderServer } from '../support/larder-process.js'
import { LARDER_TOKENS, allCells, mapLimit, sendCell, type Cell } from './authz-cells.js'
import { routeRows, type RouteRow } from './authz-routes.js'
import { startAuthzUpstreams, type AuthzUpstreams } from './authz-upstreams.js'

const MODES = [false, true] as const
const PARALLEL_REQUESTS = 24

let upstreams: AuthzUpstreams
const larders = new Map<boolean, LarderServer>()
let rows: RouteRow[]

beforeAll(async () => {
  upstreams = await startAuthzUpstreams()
  rows = routeRows(upstreams.wheel)
  await Promise.all(
    MODES.map(async (protectReads) => {
      const env = { ...upstreams.env, LARDER_TOKENS, LARDER_PROTECT_READS: protectReads ? '1' : '0' }
      larders.set(protectReads, await startLarder({ env }))
    }),
  )
})

afterAll(async () => {
  await Promise.all([...larders.values()].map((larder) => larder.stop()))
  await upstreams?.stop()
})

const label = (cell: Cell) => `${cell.protectReads ? 'protected' : 'open'} ${cell.method} ${cell.row.path} token=${cell.token}`

/** The cells whose status differs from the table, as readable lines (empty when all match). */
async function mismatches(cells: Cell[]): Promise<string[]> {
  const statuses = await mapLimit(cells, PARALLEL_REQUESTS, (cell) => sendCell(larders.get(cell.protectReads)!.url, cell))
  return cells.flatMap((cell, i) => (statuses[i] === cell.expected ? [] : [`${label(cell)}: expected ${cell.expected}, got ${statuses[i]}`]))
}

describe('authorization matrix', () => {
  it('covers every row × method × token kind in both modes', () => {
    const cells = allCells(rows, MODES)
    expect(cells.length).toBe(rows.length * 6 * 4 * 2)
    expect(new Set(rows.map((row) => row.ecosystem))).toEqual(new Set(['npm', 'pypi', 'composer', 'gems', 'apt']))
  })

  // First, while nothing has been let through: any upstream request now came from a refused cell.
  it('refuses what the policy refuses, before any upstream hears of it', async () => {
    const before = upstreams.requests().length
    const refused = allCells(rows, MODES).filter((cell) => cell.refused)
    expect(await mismatches(refused)).toEqual([])
    expect(upstreams.requests().slice(before)).toEqual([])
  })

  it('answers every cell it lets through as the table says', async () => {
    const admitted = allCells(rows, MODES).filter((cell) => !cell.refused)
    expect(await mismatches(admitted)).toEqual([])
  })
})
