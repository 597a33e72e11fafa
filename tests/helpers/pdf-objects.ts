import zlib from 'node:zlib';

/**
 * A reader for the PDF objects Tanda writes (pdfkit: one classic cross-reference table, no object streams, Flate
 * streams), for tests that check what a PDF tells screen readers and text extractors: marked-content ActualText,
 * the structure tree, catalog entries. Hand-written because pdf.js, which renders our pages, exposes none of these
 * (it drops marked-content properties other than MCID, and has no raw-object API); a general PDF library would be
 * a new dependency for a few dozen lines of test code.
 */

export type PdfValue = null | boolean | number | string | PdfName | PdfRef | PdfValue[] | PdfDict | PdfStream;
export class PdfName {
  constructor(readonly name: string) {}
}
export class PdfRef {
  constructor(readonly num: number) {}
}
export type PdfDict = Map<string, PdfValue>;
export class PdfStream {
  constructor(readonly dict: PdfDict, readonly raw: Buffer) {}
}

const WS = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const DELIM = new Set([...'()<>[]{}/%'].map((c) => c.charCodeAt(0)));

/** Parses PDF syntax from a buffer: values and operators (content streams use the same lexer). */
export class Lexer {
  pos: number;
  constructor(readonly buf: Buffer, start = 0) {
    this.pos = start;
  }

  private skip(): void {
    while (this.pos < this.buf.length) {
      const c = this.buf[this.pos]!;
      if (WS.has(c)) this.pos++;
      else if (c === 0x25) while (this.pos < this.buf.length && this.buf[this.pos] !== 0x0a && this.buf[this.pos] !== 0x0d) this.pos++;
      else break;
    }
  }

  /** The next value, or an operator keyword as `{ op }`; undefined at the end. */
  next(): PdfValue | { op: string } | undefined {
    this.skip();
    if (this.pos >= this.buf.length) return undefined;
    const c = this.buf[this.pos]!;
    const ch = String.fromCharCode(c);
    if (ch === '/') {
      const start = ++this.pos;
      while (this.pos < this.buf.length && !WS.has(this.buf[this.pos]!) && !DELIM.has(this.buf[this.pos]!)) this.pos++;
      return new PdfName(this.buf.toString('latin1', start, this.pos).replace(/#([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))));
    }
    if (ch === '(') return this.literal();
    if (ch === '<' && this.buf[this.pos + 1] === 0x3c) {
      this.pos += 2;
      const dict: PdfDict = new Map();
      for (;;) {
        this.skip();
        if (this.buf[this.pos] === 0x3e && this.buf[this.pos + 1] === 0x3e) {
          this.pos += 2;
          break;
        }
        const key = this.next();
        if (!(key instanceof PdfName)) throw new Error(`dictionary key expected at ${this.pos}`);
        dict.set(key.name, this.value());
      }
      return dict;
    }
    if (ch === '<') {
      const end = this.buf.indexOf(0x3e, this.pos);
      const hex = this.buf.toString('latin1', this.pos + 1, end).replace(/\s/g, '');
      this.pos = end + 1;
      return Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex').toString('latin1');
    }
    if (ch === '[') {
      this.pos++;
      const arr: PdfValue[] = [];
      for (;;) {
        this.skip();
        if (this.buf[this.pos] === 0x5d) {
          this.pos++;
          return arr;
        }
        arr.push(this.value());
      }
    }
    const start = this.pos;
    while (this.pos < this.buf.length && !WS.has(this.buf[this.pos]!) && !DELIM.has(this.buf[this.pos]!)) this.pos++;
    if (this.pos === start) {
      this.pos++;
      return { op: ch };
    }
    const word = this.buf.toString('latin1', start, this.pos);
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(word)) {
      // `n g R` is a reference: look ahead without consuming when it is not.
      const save = this.pos;
      const m = /^\s+(\d+)\s+R(?![^\s/<>[\]()%])/.exec(this.buf.toString('latin1', this.pos, this.pos + 24));
      if (m && /^\d+$/.test(word)) {
        this.pos = save + m[0].length;
        return new PdfRef(Number(word));
      }
      return Number(word);
    }
    if (word === 'true' || word === 'false') return word === 'true';
    if (word === 'null') return null;
    return { op: word };
  }

  value(): PdfValue {
    const v = this.next();
    if (v === undefined || (typeof v === 'object' && v !== null && 'op' in v)) throw new Error(`value expected at ${this.pos}`);
    return v;
  }

  /** A literal string, unescaped per ISO 32000 7.3.4.2, as latin1 bytes. */
  private literal(): string {
    let depth = 0;
    let out = '';
    for (;;) {
      const c = String.fromCharCode(this.buf[this.pos++]!);
      if (c === '\\') {
        const n = String.fromCharCode(this.buf[this.pos++]!);
        const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };
        if (n in escapes) out += escapes[n];
        else if (/[0-7]/.test(n)) {
          let octal = n;
          while (octal.length < 3 && /[0-7]/.test(String.fromCharCode(this.buf[this.pos]!))) octal += String.fromCharCode(this.buf[this.pos++]!);
          out += String.fromCharCode(parseInt(octal, 8) & 0xff);
        } else if (n === '\r') {
          if (this.buf[this.pos] === 0x0a) this.pos++;
        } else if (n !== '\n') out += n;
      } else if (c === '(') {
        if (depth++ > 0) out += c;
      } else if (c === ')') {
        if (--depth === 0) return out;
        out += c;
      } else out += c;
    }
  }
}

export class PdfFile {
  private readonly offsets = new Map<number, number>();
  private readonly cache = new Map<number, PdfValue>();
  readonly trailer: PdfDict;

  constructor(readonly buf: Buffer) {
    const startxref = Number(/startxref\s+(\d+)/.exec(buf.toString('latin1', Math.max(0, buf.length - 64)))?.[1]);
    const text = buf.toString('latin1', startxref);
    const xref = /^xref\s+(\d+)\s+(\d+)\s+/.exec(text);
    if (!xref) throw new Error('no classic cross-reference table (not a pdfkit PDF?)');
    let first = Number(xref[1]);
    const count = Number(xref[2]);
    let at = startxref + xref[0].length;
    for (let i = 0; i < count; i++, at += 20, first++) {
      const [offset, , kind] = buf.toString('latin1', at, at + 18).split(' ');
      if (kind === 'n') this.offsets.set(first, Number(offset));
    }
    const lexer = new Lexer(buf, buf.indexOf('trailer', at - 1, 'latin1') + 'trailer'.length);
    this.trailer = lexer.value() as PdfDict;
  }

  object(num: number): PdfValue {
    if (this.cache.has(num)) return this.cache.get(num)!;
    const offset = this.offsets.get(num);
    if (offset === undefined) return null;
    const lexer = new Lexer(this.buf, offset);
    lexer.value();
    lexer.value();
    lexer.next(); // obj
    let value = lexer.value();
    const after = lexer.next();
    if (after && typeof after === 'object' && 'op' in after && after.op === 'stream') {
      const dict = value as PdfDict;
      let start = lexer.pos;
      if (this.buf[start] === 0x0d) start++;
      if (this.buf[start] === 0x0a) start++;
      const length = this.resolve(dict.get('Length') ?? 0) as number;
      value = new PdfStream(dict, this.buf.subarray(start, start + length));
    }
    this.cache.set(num, value);
    return value;
  }

  resolve(v: PdfValue | undefined): PdfValue {
    return v instanceof PdfRef ? this.object(v.num) : (v ?? null);
  }

  /** The decoded bytes of a stream (Flate or none: all pdfkit writes). */
  data(stream: PdfStream): Buffer {
    const filter = this.resolve(stream.dict.get('Filter'));
    const name = Array.isArray(filter) ? (filter[0] as PdfName | undefined)?.name : filter instanceof PdfName ? filter.name : undefined;
    if (!name) return stream.raw;
    if (name === 'FlateDecode') return zlib.inflateSync(stream.raw);
    throw new Error(`unsupported filter ${name}`);
  }

  get catalog(): PdfDict {
    return this.resolve(this.trailer.get('Root')) as PdfDict;
  }

  /** Page dictionaries in order, from the page tree. */
  pages(): PdfDict[] {
    const out: PdfDict[] = [];
    const walk = (node: PdfDict) => {
      if ((node.get('Type') as PdfName | undefined)?.name === 'Pages') for (const kid of node.get('Kids') as PdfValue[]) walk(this.resolve(kid) as PdfDict);
      else out.push(node);
    };
    walk(this.resolve(this.catalog.get('Pages')) as PdfDict);
    return out;
  }

  /** A page's content streams, decoded and joined. */
  contents(pageIndex: number): Buffer {
    const page = this.pages()[pageIndex];
    if (!page) throw new Error(`no page ${pageIndex}`);
    const c = this.resolve(page.get('Contents'));
    const streams = (Array.isArray(c) ? c.map((s) => this.resolve(s)) : [c]) as PdfStream[];
    return Buffer.concat(streams.flatMap((s) => [this.data(s), Buffer.from('\n')]));
  }
}

/** A PDF text string: UTF-16BE with a byte order mark, or PDFDocEncoding (ASCII for what Tanda writes). */
export function textString(bytes: string): string {
  if (!bytes.startsWith('\xFE\xFF')) return bytes;
  return Buffer.from(bytes.slice(2), 'latin1').swap16().toString('utf16le');
}
