/** Usage errors (exit 2) and the help text of each command. */

export class UsageError extends Error {
  override readonly name = 'UsageError'
}

export const EXIT_OK = 0
export const EXIT_NOT_HELD = 1
export const EXIT_USAGE = 2

const FORMATS = `Lockfiles (told by name, else by content):
  npm     package-lock.json, npm-shrinkwrap.json (lockfileVersion 1-3), pnpm-lock.yaml (6.x-9.x),
          yarn.lock (classic v1, and berry: its checksum is yarn's own zip hash, so only presence is proved)
  PyPI    requirements*.txt pinned with == (with or without --hash; -r includes are followed),
          pylock.toml (PEP 751), uv.lock, poetry.lock: exactly the files they list, with their hashes;
          Pipfile.lock: the files of each pinned version matching its hashes
  APT     *.apt-list: a '# larder-apt: archive=NAME suite=SUITE [components=main,...] [architectures=...]'
          header, then name=version:arch lines (dpkg-query -W -f='\${Package}=\${Version}:\${Architecture}\\n')
  OCI     *.oci-list, images.txt: one image reference per line (docker.io/library/debian:bookworm,
          ghcr.io/org/app@sha256:..., local/team/app:1.0): every platform manifest and blob
  files   artifacts.lock.yaml (Hermeto's format): download_url, checksum sha256:<hex>, filename
  gems    Gemfile.lock (with Bundler >= 2.5 CHECKSUMS when present)
  Composer composer.lock`

const COMMON = `  --concurrency N   requests in flight at once (default 16)
  --json            the result as JSON on stdout instead of the table
  -h, --help        this text`

export const HELP: Record<string, string> = {
  larder: `Usage: larder <command> [options]

Commands:
  prefetch <lockfile>...   make Larder fetch, verify and store everything the lockfiles name
  verify <lockfile>...     with no network at all: is everything held, and do its bytes match the lockfiles?
  export --out FILE <lockfile>... | --all
                           what the lockfiles need to install offline (or the whole store) as one bundle
  import BUNDLE            check every digest of a bundle, then add it to the store
  pins list | remove ID    what prefetch and import pinned: kept whatever a size limit says
  gc [--dry-run]           delete blobs no entry references (superseded index bodies, leftovers)
  fsck [--repair]          re-hash every blob, check every entry has its files; quarantine corrupt ones
  stats [--server URL]     per ecosystem what the store holds, hosted and mirrored, and hit ratios
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
  export: `Usage: larder export --out FILE [--zstd] [options] (<lockfile>... | --all)

Writes one tar (zstd-compressed with --zstd or a .zst name) holding everything a client needs to
install the lockfiles with no upstream: the files and the index documents, as they are stored in
LARDER_DATA_DIR (default ./data). Runs verify first, offline: a package not held here refuses the
export (run larder prefetch first). Each file is read once, hashed as it is written against its
address and the lockfile's digests: one that does not match refuses the export too. --all takes
every entry of the store instead (each file checked against its address).

The bundle holds larder-bundle.json (every entry and file digest), blobs/sha256/<hex>,
sbom.cdx.json (CycloneDX 1.6, a purl and the sha256 of each package's files) and
larder-bundle.sha256 (sha256sum -c checks the two JSON files). Written to a temp file first: FILE
appears only when whole. Streamed: memory stays flat whatever the size.

Options:
  -o, --out FILE    where to write the bundle
  --all             the whole store instead of lockfiles
  --zstd            compress (also when FILE ends with .zst)
${COMMON}

${FORMATS}
`,
  import: `Usage: larder import [--json] BUNDLE

Adds a bundle written by larder export to the store in LARDER_DATA_DIR (default ./data). Every file
is hashed and the manifest checked before anything is written: a bundle with one byte changed is
refused whole (exit 1) and the store stays as it was. An entry the store already has as new or
newer is kept. Safe while a server runs on the same folder: it sees the new entries within a second.

Options:
  --json            the result as JSON on stdout
  -h, --help        this text
`,
  pins: `Usage: larder pins list [--json] | larder pins remove ID

larder prefetch (run on the store, without --server) pins each lockfile, and larder import each
bundle: the store entries their installs read (files and the index documents serving them) are
kept by store maintenance whatever size limit it has. Prefetching the same lockfile again replaces
its pin. list shows them (ID, how, when, how many entries, the lockfile or bundle); remove drops
one, so its artifacts may be evicted like any other.
`,
  gc: `Usage: larder gc [--dry-run] [--grace-minutes N] [--json]

Deletes the blobs of the store in LARDER_DATA_DIR (default ./data) that no entry references: index
bodies an upstream change superseded, files of deleted packages, leftovers. Safe while servers run on
the same store: it marks every referenced blob first, then deletes only unreferenced blobs last stored
more than the grace period ago (60 minutes), so a publish or download in progress keeps its file.
The server runs the same collection every LARDER_GC_INTERVAL_HOURS (24; 0 turns it off).

Options:
  --dry-run           count what would be deleted, delete nothing
  --grace-minutes N   the grace period (default 60)
  --json              the result as JSON on stdout
  -h, --help          this text
`,
  fsck: `Usage: larder fsck [--repair] [--json]

Re-hashes every blob of the store in LARDER_DATA_DIR (default ./data) against its address and checks
that every entry's files are there. A corrupt blob is quarantined: copied to <data>/quarantine/ and
taken out of the store, never just deleted. Exit 1 when anything is wrong.

Options:
  --repair          fetch mirrored files that lost their bytes again from the URL they came from,
                    kept only if they hash to the same address; others (documents, an upstream that
                    is down) are dropped and fetched on their next request; hosted files must be
                    published again
  --json            the report as JSON on stdout
  -h, --help        this text
`,
  stats: `Usage: larder stats [--server URL] [--token T] [--json]

Per ecosystem, what the store in LARDER_DATA_DIR (default ./data) holds: entries, files and bytes,
hosted (published to Larder) apart from mirrored; and the blobs on disk, with those no entry
references (what larder gc frees). With --server, also each mirror's hit ratio since that server
started (answers from the store, fresh or revalidated or stale, against misses), from its /metrics.

Options:
  --server URL      a running Larder whose hit ratios to add
  --token T         its token, when it protects reads; or LARDER_TOKEN
  --json            the numbers as JSON on stdout
  -h, --help        this text
`,
}
