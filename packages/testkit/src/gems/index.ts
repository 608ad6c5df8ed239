/** RubyGems fixtures: real .gem files built with `gem build`, and an upstream serving them like rubygems.org. */
export * from './gem-build.js'
export * from './compact-index-render.js'
export * from './legacy-specs.js'
export * from './gems-upstream-fixture.js'
export * from './ruby-env.js'
