/** The authorization matrix as data: every route family of every app, what each method does there, and what the right token gets. */
import { COMPOSER_PACKAGE } from './authz-upstreams.js'

export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'] as const
export type Method = (typeof METHODS)[number]
export const TOKEN_KINDS = ['none', 'wrong', 'other', 'right'] as const
export type TokenKind = (typeof TOKEN_KINDS)[number]
export type Ecosystem = 'npm' | 'pypi' | 'composer' | 'gems' | 'apt'

export interface RouteRow {
  ecosystem: Ecosystem
  path: string
  /** Methods that read, with the status a token of the row's ecosystem gets. */
  read?: Partial<Record<Method, number>>
  /** Methods that write, with the status a token of the row's ecosystem gets (bodies are garbage, so the checks after the token refuse them). */
  write?: Partial<Record<Method, number>>
  /** Every method answers this for every token (unknown paths), as a read would. */
  all?: number
  /** Methods that check the token themselves, before or without the read gate: each column written out. */
  own?: Partial<Record<Method, Record<TokenKind, number>>>
  /** The request body of methods that take one; 'x' when omitted. `token` is the column's token. */
  body?: (token: string | undefined) => string
}

const GET_HEAD = (status: number) => ({ GET: status, HEAD: status })
const TOKEN_CHECKED = (right: number) => ({ none: 401, wrong: 401, other: 403, right })
const npmPkg = '/npm/authz-pub'

/** The pypi wheel's URL holds its sha256, known once the fixture has built it. */
export function routeRows(wheel: { filename: string; sha256: string }): RouteRow[] {
  const npm = (path: string, row: Omit<RouteRow, 'ecosystem' | 'path'>): RouteRow => ({ ecosystem: 'npm', path, ...row })
  const pypi = (path: string, row: Omit<RouteRow, 'ecosystem' | 'path'>): RouteRow => ({ ecosystem: 'pypi', path, ...row })
  const composer = (path: string, row: Omit<RouteRow, 'ecosystem' | 'path'>): RouteRow => ({ ecosystem: 'composer', path, ...row })
  const gems = (path: string, row: Omit<RouteRow, 'ecosystem' | 'path'>): RouteRow => ({ ecosystem: 'gems', path, ...row })
  const apt = (path: string, row: Omit<RouteRow, 'ecosystem' | 'path'>): RouteRow => ({ ecosystem: 'apt', path, ...row })
  const wheelUrl = `/pypi/files/authz-py/${wheel.sha256}/${wheel.filename}`
  return [
    npm('/npm/', { read: GET_HEAD(200) }),
    npm('/npm/-/ping', { read: GET_HEAD(200) }),
    npm('/npm/-/whoami', { own: { GET: TOKEN_CHECKED(200), HEAD: TOKEN_CHECKED(200) } }),
    // Legacy npm login: the token is the password in the body; reachable without a token so a client can present one.
    npm('/npm/-/user/org.couchdb.user:authz', { own: { PUT: TOKEN_CHECKED(201) }, body: (token) => JSON.stringify({ name: 'authz', password: token }) }),
    npm('/npm/-/v1/search?text=secret-internal', { read: GET_HEAD(200) }),
    npm('/npm/-/npm/v1/security/advisories/bulk', { read: { POST: 200 }, body: () => '{"authz-pub":["1.0.0"]}' }),
    npm('/npm/-/npm/v1/security/audits/quick', { read: { POST: 200 }, body: () => '{}' }),
    // The fixture has no signing keys: its 404 is passed on.
    npm('/npm/-/npm/v1/keys', { read: GET_HEAD(404) }),
    npm('/npm/-/package/authz-pub/access', { read: GET_HEAD(404) }),
    npm('/npm/-/package/authz-pub/dist-tags', { read: GET_HEAD(200), write: { PUT: 400, DELETE: 400 } }),
    npm('/npm/-/no-such-endpoint', { all: 404 }),
    npm(npmPkg, { read: GET_HEAD(200), write: { PUT: 400 } }),
    npm(`${npmPkg}/1.0.0`, { read: GET_HEAD(200) }),
    npm(`${npmPkg}/-/authz-pub-1.0.0.tgz`, { read: GET_HEAD(200) }),
    // A name never published here nor read from upstream (so no cell's timing changes the answer): nothing to remove.
    npm('/npm/authz-unknown/-/authz-unknown-1.0.0.tgz/-rev/1-0', { write: { DELETE: 404 } }),
    npm('/npm/authz-unknown/-rev/1-0', { write: { PUT: 400, DELETE: 404 } }),
    // The matrix sends no multipart body: an upload that is not multipart/form-data is 415.
    pypi('/pypi/', { read: GET_HEAD(404), write: { POST: 415 } }),
    pypi('/pypi/simple', { read: GET_HEAD(301) }),
    pypi('/pypi/simple/', { read: GET_HEAD(200) }),
    pypi('/pypi/simple/authz-py/', { read: GET_HEAD(200) }),
    pypi(wheelUrl, { read: GET_HEAD(200) }),
    // A wheel the page does not list: 404 whatever other cells fetched first (metadata of the listed wheel would be
    // extracted from it once another cell has stored it, so its answer would depend on the order of cells).
    pypi(`/pypi/files/authz-py/${wheel.sha256}/authz_py-9.9-py3-none-any.whl.metadata`, { read: GET_HEAD(404) }),
    pypi('/pypi/no-such-endpoint', { all: 404 }),
    composer('/composer/packages.json', { read: GET_HEAD(200) }),
    composer('/composer/p2/acme/authz.json', { read: GET_HEAD(200) }),
    composer(`/composer/dists/acme/authz/1.0.0.0/${COMPOSER_PACKAGE.reference}.zip`, { read: GET_HEAD(200) }),
    composer('/composer/api/security-advisories/', { read: { ...GET_HEAD(200), POST: 200 }, body: () => 'packages[]=acme/authz' }),
    // fetch sends the string body as text/plain: not a zip.
    composer('/composer/upload', { write: { PUT: 415, POST: 415 } }),
    composer('/composer/no-such-endpoint', { all: 404 }),
    gems('/gems/', { read: GET_HEAD(200) }),
    gems('/gems/versions', { read: GET_HEAD(200) }),
    gems('/gems/names', { read: GET_HEAD(200) }),
    gems('/gems/info/authz-gem', { read: GET_HEAD(200) }),
    gems('/gems/specs.4.8.gz', { read: GET_HEAD(200) }),
    gems('/gems/quick/Marshal.4.8/authz-gem-1.0.0.gemspec.rz', { read: GET_HEAD(200) }),
    gems('/gems/gems/authz-gem-1.0.0.gem', { read: GET_HEAD(200) }),
    gems('/gems/api/v1/dependencies?gems=authz-gem', { read: GET_HEAD(404) }),
    gems('/gems/api/v1/gems', { write: { POST: 400 } }),
    gems('/gems/api/v1/gems/yank', { write: { DELETE: 400 } }),
    gems('/gems/no-such-endpoint', { all: 404 }),
    apt('/apt/mirror/dists/stable/InRelease', { read: GET_HEAD(200) }),
    apt('/apt/mirror/dists/stable/main/binary-amd64/Packages', { read: GET_HEAD(200) }),
    apt('/apt/mirror/pool/main/a/authz/authz_1.0_all.deb', { read: GET_HEAD(404) }),
    apt('/apt/mirror/upload/authz_1.0_all.deb', { all: 404 }),
    apt('/apt/larder/dists/stable/InRelease', { read: GET_HEAD(200) }),
    apt('/apt/larder/larder-archive-keyring.gpg', { read: GET_HEAD(200) }),
    apt('/apt/larder/upload/authz_1.0_all.deb', { write: { PUT: 400, POST: 400 } }),
    apt('/apt/no-such-archive/dists/stable/InRelease', { all: 404 }),
  ]
}
