/** Per-route method tables: each method a route answers, with what it does; any other method is a 405 before anything runs. */
import { LarderError } from '../errors/index.js'
import type { Ecosystem, RouteAccess, TokenStore } from './token-store.js'

/** One method of a route: what it does (for the token check) and the handler. */
export interface RouteAction {
  access: RouteAccess
  run: () => Response | Promise<Response>
}

/** The methods a route answers, upper case; a method missing here is refused with 405. */
export type RouteMethods = Partial<Record<string, RouteAction>>

/** GET and HEAD serving the same read. */
export function readRoute(run: RouteAction['run']): RouteMethods {
  return { GET: { access: 'read', run }, HEAD: { access: 'read', run } }
}

export function readAction(run: RouteAction['run']): RouteAction {
  return { access: 'read', run }
}

export function writeAction(run: RouteAction['run']): RouteAction {
  return { access: 'write', run }
}

/** The error for a method a route does not answer; nothing upstream or in the store has been touched when it is thrown. */
export function methodNotAllowed(method: string, allowed: readonly string[], what: string): LarderError {
  const message = `${method.slice(0, 16)} is not supported on ${what}`
  // RFC 9110: a 405 says which methods the resource has.
  const headers = { allow: allowed.join(', ') }
  return new LarderError('E_METHOD_NOT_ALLOWED', message, allowed.length > 0 ? { hint: `this URL answers ${allowed.join(', ')}`, headers } : { headers })
}

/**
 * Runs the route's action for the request method after the token check for what that action does:
 * a write needs a publisher token of `ecosystem` even when reads are open, whatever the method.
 */
export async function runRoute(
  routes: RouteMethods,
  request: { method: string; authorization: string | undefined },
  tokens: TokenStore,
  ecosystem: Ecosystem,
  what: string,
): Promise<Response> {
  const action = Object.hasOwn(routes, request.method) ? routes[request.method] : undefined
  if (!action) throw methodNotAllowed(request.method, Object.keys(routes), what)
  tokens.requireAccess(request.authorization, ecosystem, action.access)
  return action.run()
}
