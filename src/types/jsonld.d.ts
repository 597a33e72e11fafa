declare module 'jsonld' {
  import type { Quad } from 'rdf-canonize';
  const jsonld: {
    toRDF(input: object, options: object): Promise<Quad[]>;
  };
  export default jsonld;
}
