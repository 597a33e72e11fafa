declare module 'jsonld-document-loader' {
  export class JsonLdDocumentLoader {
    addStatic(url: string, document: object): void;
    setProtocolHandler(options: { protocol: string; handler: { get(options: { url: string }): Promise<object | undefined> } }): void;
    setDidResolver(resolver: { get(options: { url: string }): Promise<object | undefined> }): void;
    build(): (url: string) => Promise<{ contextUrl: null; documentUrl: string; document: object; tag?: 'static' }>;
  }
}
