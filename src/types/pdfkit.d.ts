// pdfkit 0.20.2 accepts a layout box on structure elements (used for the QR Figure); @types/pdfkit 0.17 lacks it.
declare namespace PDFKit.Mixins {
  interface StructureElementOptions {
    /** [left, top, right, bottom] in pdfkit's top-down coordinates. */
    bbox?: [number, number, number, number];
    placement?: 'Block' | 'Inline';
  }
}
