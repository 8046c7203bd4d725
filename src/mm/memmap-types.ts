/** The branded pfn type shared by all of src/mm (no runtime cost; stops a pfn being mixed with an index). */
export type Pfn = number & { readonly __brand: 'pfn' };
export const asPfn = (n: number): Pfn => n as Pfn;
