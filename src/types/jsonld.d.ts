declare module 'jsonld' {
  import type { Quad } from 'rdf-canonize';
  const jsonld: {
    toRDF(input: object, options: object): Promise<Quad[]>;
    expand(input: object, options: object): Promise<object[]>;
  };
  export default jsonld;
}
