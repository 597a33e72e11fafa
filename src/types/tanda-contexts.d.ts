/** Virtual module of the web build (src/web/build.ts): the JSON-LD contexts of contexts/, keyed by URL. */
declare module 'tanda:contexts' {
  const contexts: ReadonlyMap<string, object>;
  export default contexts;
}
