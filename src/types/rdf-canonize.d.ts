declare module 'rdf-canonize' {
  export interface Term {
    termType: 'NamedNode' | 'BlankNode' | 'Literal' | 'DefaultGraph';
    value: string;
    datatype?: { termType: 'NamedNode'; value: string };
    language?: string;
  }
  export interface Quad {
    subject: Term;
    predicate: Term;
    object: Term;
    graph: Term;
  }
  export function canonize(dataset: Quad[], options: object): Promise<string>;
  export const NQuads: { serializeQuad(quad: Quad): string };
}
