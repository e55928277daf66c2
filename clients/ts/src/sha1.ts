// An incremental SHA-1: WebCrypto has none (digest takes the whole input), and
// an upload hashes its file slice by slice as it sends them. In Node the
// built-in node:crypto hash is used (found through process.getBuiltinModule,
// so bundles for browsers carry no Node import); elsewhere a small JS one.

/** A running SHA-1. */
export interface Sha1 {
  update(data: Uint8Array): void;
  /** The digest in lower-case hex; the hash cannot be updated after. */
  hex(): string;
}

interface NodeCrypto {
  createHash(alg: string): { update(d: Uint8Array): unknown; digest(enc: "hex"): string };
}

function nodeCrypto(): NodeCrypto | undefined {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return p?.getBuiltinModule?.("node:crypto") as NodeCrypto | undefined;
}

/** newSha1 returns a running SHA-1: Node's when there is one, else jsSha1. */
export function newSha1(): Sha1 {
  const c = nodeCrypto();
  if (c) {
    const h = c.createHash("sha1");
    return { update: (d) => void h.update(d), hex: () => h.digest("hex") };
  }
  return jsSha1();
}

/** A running SHA-1 whose state can be read, as an upload's datasha declares it. */
export interface RunningSha1 extends Sha1 {
  /**
   * The running state as the official SDKs write datasha (Go's
   * rules.SHA1State): the five state words, each little-endian, in hex. It
   * is the state after the last whole 64-byte block, so read it where the
   * bytes hashed are a multiple of 64, as every slice size is.
   */
  state(): string;
}

/**
 * jsSha1 is SHA-1 in plain JavaScript (FIPS 180-4), for browsers, and
 * wherever the running state is needed (Node's hash does not show it).
 */
export function jsSha1(): RunningSha1 {
  const h = new Uint32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]);
  const w = new Uint32Array(80);
  const block = new Uint8Array(64);
  let fill = 0;
  let total = 0;

  const compress = (b: Uint8Array, off: number) => {
    for (let i = 0; i < 16; i++) {
      const j = off + i * 4;
      w[i] = (b[j] << 24) | (b[j + 1] << 16) | (b[j + 2] << 8) | b[j + 3];
    }
    for (let i = 16; i < 80; i++) {
      const x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16];
      w[i] = (x << 1) | (x >>> 31);
    }
    let a = h[0], bb = h[1], c = h[2], d = h[3], e = h[4];
    for (let i = 0; i < 80; i++) {
      let f: number, k: number;
      if (i < 20) { f = (bb & c) | (~bb & d); k = 0x5a827999; }
      else if (i < 40) { f = bb ^ c ^ d; k = 0x6ed9eba1; }
      else if (i < 60) { f = (bb & c) | (bb & d) | (c & d); k = 0x8f1bbcdc; }
      else { f = bb ^ c ^ d; k = 0xca62c1d6; }
      const t = (((a << 5) | (a >>> 27)) + f + e + k + w[i]) | 0;
      e = d; d = c; c = (bb << 30) | (bb >>> 2); bb = a; a = t;
    }
    h[0] += a; h[1] += bb; h[2] += c; h[3] += d; h[4] += e;
  };

  return {
    update(data) {
      total += data.length;
      let i = 0;
      if (fill > 0) {
        const n = Math.min(64 - fill, data.length);
        block.set(data.subarray(0, n), fill);
        fill += n;
        i = n;
        if (fill < 64) return;
        compress(block, 0);
        fill = 0;
      }
      for (; i + 64 <= data.length; i += 64) compress(data, i);
      block.set(data.subarray(i), 0);
      fill = data.length - i;
    },
    hex() {
      const bits = total * 8;
      const pad = new Uint8Array(((fill < 56 ? 56 : 120) - fill) + 8);
      pad[0] = 0x80;
      const dv = new DataView(pad.buffer);
      dv.setUint32(pad.length - 8, Math.floor(bits / 0x100000000));
      dv.setUint32(pad.length - 4, bits >>> 0);
      this.update(pad);
      return Array.from(h, (x) => x.toString(16).padStart(8, "0")).join("");
    },
    state() {
      const le = (x: number) => [x, x >>> 8, x >>> 16, x >>> 24].map((b) => (b & 255).toString(16).padStart(2, "0")).join("");
      return Array.from(h, le).join("");
    },
  };
}
