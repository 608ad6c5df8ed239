/** Private names: the operator's list of names never taken from upstream, and the check before a first publish. */
export * from './private-name-list.js'
export * from './upstream-name-check.js'
