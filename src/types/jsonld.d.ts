declare module 'jsonld' {
  import type { Quad } from 'rdf-canonize';
  const jsonld: {
    toRDF(input: object, options: object): Promise<Quad[]>;
  };
  export default jsonld;
}

declare module 'jsonld/lib/util.js' {
  /** jsonld.js's internal helpers (CommonJS); only the deep clone src/jsonld/context-clone.ts replaces is typed. */
  const util: { clone(value: unknown): unknown };
  export default util;
}
