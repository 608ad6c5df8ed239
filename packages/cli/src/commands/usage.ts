/** Usage errors (exit 2) and the help text of each command. */

export class UsageError extends Error {
  override readonly name = 'UsageError'
}

export const EXIT_OK = 0
export const EXIT_NOT_HELD = 1
export const EXIT_USAGE = 2

const FORMATS = `Lockfiles (told by name, else by content):
  npm     package-lock.json, npm-shrinkwrap.json (lockfileVersion 1-3)
  PyPI    requirements*.txt pinned with == (with or without --hash; -r includes are followed)
  gems    Gemfile.lock (with Bundler >= 2.5 CHECKSUMS when present)
  Composer composer.lock`

const COMMON = `  --concurrency N   requests in flight at once (default 8)
  --json            the result as JSON on stdout instead of the table
  -h, --help        this text`

export const HELP: Record<string, string> = {
  larder: `Usage: larder <command> [options]

Commands:
  prefetch <lockfile>...   make Larder fetch, verify and store everything the lockfiles name
  verify <lockfile>...     with no network at all: is everything held, and do its bytes match the lockfiles?
  help [command]           this text, or a command's

Run "larder <command> --help" for a command's options. Exit status: 0 when everything asked
for is held and verified, 1 when anything is not, 2 for a usage error.
`,
  prefetch: `Usage: larder prefetch [--server URL] [--token T] [options] <lockfile>...

Resolves every package of each lockfile to its URL on Larder and GETs it through Larder's normal
caches (so Larder's own verification applies), hashing the bytes against the lockfile's digests
(npm integrity, pip --hash, Gemfile.lock CHECKSUMS, composer shasum). A mismatch is an error naming
the package. Also fetches the index documents a client needs offline (packuments, project pages,
/info, p2 files).

Without --server the work runs in this process on the store in LARDER_DATA_DIR (default ./data),
with the server's settings (LARDER_NPM_UPSTREAM, ...); it can run beside a server on the same folder.

Options:
  --server URL      send the requests to a running Larder instead
  --token T         its token (Authorization: Bearer), when it protects reads; or LARDER_TOKEN
${COMMON}

${FORMATS}
`,
  verify: `Usage: larder verify [options] <lockfile>...

Opens the store in LARDER_DATA_DIR (default ./data) with LARDER_OFFLINE=1 forced, so no upstream
is contacted, and checks that every index document and file the lockfiles need is held and that
the file bytes match the lockfile's digests. Meant as a CI gate before an outage, not during one.

Options:
${COMMON}

${FORMATS}
`,
}
