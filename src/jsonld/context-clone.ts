import jsonldUtil from 'jsonld/lib/util.js';

/*
 * jsonld.js copies the active context whenever it enters a node with a type-scoped context and again when it leaves
 * one (context.js _cloneActiveContext, _revertToPreviousContext), with its generic deep clone: every term definition
 * of the VC 2.0 and Open Badges contexts, each with its own scoped contexts, copied key by key, several times per
 * node (jsonld.js issue #414). Under load that was 40 % of a verification worker's time. The term definitions in
 * `mappings` are never changed once a context holds them (createTermDefinition always builds a new object and
 * replaces the entry; a scoped context is only read), so the one Map that clone is asked for can share them: copying
 * the Map keeps each context's own set of terms apart, which is all the deep copy protected. Only the active
 * context's `mappings` is a Map among what jsonld clones (documents and frames are plain JSON), and the recursion
 * inside the stock clone comes back through this export, so nothing else changes.
 */
const deepClone = jsonldUtil.clone;
if (!(deepClone as { sharesTermDefinitions?: true }).sharesTermDefinitions) {
  const clone = (value: unknown): unknown => (value instanceof Map ? new Map(value) : deepClone(value));
  jsonldUtil.clone = Object.assign(clone, { sharesTermDefinitions: true as const });
}
