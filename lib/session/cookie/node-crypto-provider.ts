/**
 * A crypto provider for iron-webcrypto built on node:crypto's synchronous primitives.
 *
 * iron-webcrypto takes its crypto implementation as the first argument of every function and
 * calls only a handful of WebCrypto methods. Node's WebCrypto answers each of them through the
 * libuv thread pool (about ten hops per seal); these answer in the calling thread and hand back an
 * already-settled promise, which is why a seal costs a fraction of the CPU. The output is the
 * same bytes: PBKDF2, AES-CBC with PKCS#7 padding, AES-CTR over a full 128-bit counter and HMAC
 * are defined identically in both (tests/unit/iron-seal.test.ts compares them byte for byte).
 *
 * Only the calls iron-webcrypto 1.2.1 makes are implemented (read from its dist/index.js):
 *   getRandomValues(Uint8Array)                                  salts and IVs
 *   importKey("raw", bytes, {name: "PBKDF2"}, false, ["deriveBits"])
 *   deriveBits({name: "PBKDF2", hash: "SHA-1", salt, iterations}, key, bits)
 *   importKey("raw", bytes, {name: "AES-CBC" | "AES-CTR"}, false, ["encrypt", "decrypt"])
 *   importKey("raw", bytes, {name: "HMAC", hash: "SHA-256"}, false, ["sign", "verify"])
 *   encrypt / decrypt({name: "AES-CBC", iv} | {name: "AES-CTR", counter, length: 128}, key, data)
 *   sign({name: "HMAC"}, key, data)
 * Anything else throws an error naming the call, so an iron-webcrypto upgrade that needs more
 * fails loudly in the tests instead of sealing something iron-session cannot open.
 */
import { createCipheriv, createDecipheriv, createHmac, pbkdf2Sync, randomFillSync } from "node:crypto";
import type { seal } from "iron-webcrypto";

/** The crypto object iron-webcrypto's seal/unseal take as their first argument. */
export type IronCrypto = Parameters<typeof seal>[0];

export interface NodeCryptoProviderOptions {
  /**
   * Fills a buffer with random bytes (salts and IVs). Default: node:crypto's randomFillSync, drawn 4 KiB at a time.
   * Tests inject a deterministic source here for known-answer comparisons; never do that in production.
   */
  fillRandom?: (bytes: Uint8Array) => void;
}

type Operation = "deriveBits" | "encrypt" | "decrypt" | "sign";
type KeyAlgorithmName = "PBKDF2" | "AES-CBC" | "AES-CTR" | "HMAC";

/** What each imported key may be used for, by algorithm: exactly the usages iron-webcrypto asks for. */
const OPERATIONS_BY_ALGORITHM: Record<KeyAlgorithmName, readonly Operation[]> = {
  PBKDF2: ["deriveBits"],
  "AES-CBC": ["encrypt", "decrypt"],
  "AES-CTR": ["encrypt", "decrypt"],
  HMAC: ["sign"],
};
const AES_KEY_BYTES = new Set([16, 24, 32]);
const WEBCRYPTO_RANDOM_LIMIT_BYTES = 65_536;
/** Random bytes drawn from the CSPRNG at once and handed out in order (each once): one OpenSSL call per ~50 seals. */
const RANDOM_POOL_BYTES = 4096;

/**
 * A CryptoKey whose bytes sit in a private field, out of reach of anyone holding the object, as
 * with a real CryptoKey. (A class field rather than a WeakMap: a WeakMap entry per short-lived key
 * costs the garbage collector more than the crypto it guards.)
 */
class NodeCryptoKey implements CryptoKey {
  readonly type = "secret" as const;
  readonly #algorithmName: KeyAlgorithmName;
  readonly #bytes: Buffer;

  constructor(
    algorithmName: KeyAlgorithmName,
    bytes: Buffer,
    readonly algorithm: KeyAlgorithm,
    readonly extractable: boolean,
    readonly usages: KeyUsage[],
  ) {
    this.#algorithmName = algorithmName;
    this.#bytes = bytes;
  }

  static materialOf(key: CryptoKey): { algorithm: KeyAlgorithmName; bytes: Buffer } | undefined {
    return key instanceof NodeCryptoKey ? { algorithm: key.#algorithmName, bytes: key.#bytes } : undefined;
  }
}

class UnsupportedCryptoCall extends Error {
  constructor(call: string, detail: string) {
    super(
      `node-crypto-provider: ${call} ${detail}. iron-webcrypto 1.2.1 only uses PBKDF2/SHA-1, AES-256-CBC, AES-128-CTR and HMAC/SHA-256; ` +
        "if an upgrade of iron-webcrypto needs more, extend lib/session/cookie/node-crypto-provider.ts (and its byte-for-byte tests).",
    );
    this.name = "UnsupportedCryptoCall";
  }
}

/** WebCrypto answers with promises; ours are settled before they are returned (a throw becomes a rejection, as there). */
function settled<T>(compute: () => T): Promise<T> {
  try {
    return Promise.resolve(compute());
  } catch (error) {
    return Promise.reject(error);
  }
}

function algorithmName(algorithm: unknown): string {
  if (typeof algorithm === "string") return algorithm;
  if (algorithm && typeof algorithm === "object" && "name" in algorithm && typeof algorithm.name === "string") return algorithm.name;
  return String(algorithm);
}

function hashName(algorithm: object): string | undefined {
  const hash = "hash" in algorithm ? algorithm.hash : undefined;
  return hash === undefined ? undefined : algorithmName(hash);
}

/**
 * A view of the caller's bytes, not a copy: WebCrypto copies its inputs because it reads them
 * later, on another thread; every call here has finished with them before it returns.
 */
function viewOf(data: unknown, call: string): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new UnsupportedCryptoCall(call, "was given data that is neither an ArrayBuffer nor a typed array");
}

/**
 * An ArrayBuffer holding exactly these bytes, as WebCrypto returns. Buffers from digest() own
 * theirs; small ones from the Buffer pool share a slab, which must not leak out, so those are copied.
 */
function arrayBufferOf(...parts: Buffer[]): ArrayBuffer {
  const only = parts.length === 1 ? parts[0]! : undefined;
  if (only && only.byteOffset === 0 && only.byteLength === only.buffer.byteLength && only.buffer instanceof ArrayBuffer) return only.buffer;
  const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.byteLength;
  }
  return joined.buffer;
}

function materialFor(key: CryptoKey, operation: Operation): { algorithm: KeyAlgorithmName; bytes: Buffer } {
  const material = NodeCryptoKey.materialOf(key);
  if (!material) throw new UnsupportedCryptoCall(operation, "was given a key this provider did not import");
  if (!OPERATIONS_BY_ALGORITHM[material.algorithm].includes(operation)) {
    const allowed = OPERATIONS_BY_ALGORITHM[material.algorithm].join("/");
    throw new UnsupportedCryptoCall(operation, `was given a ${material.algorithm} key, which this provider imported for ${allowed} only`);
  }
  return material;
}

function importKey(format: string, keyData: unknown, algorithm: unknown, extractable: boolean, usages: readonly string[]): CryptoKey {
  if (format !== "raw") throw new UnsupportedCryptoCall("importKey", `does not support format "${format}" (only "raw")`);
  const name = algorithmName(algorithm);
  if (name !== "PBKDF2" && name !== "AES-CBC" && name !== "AES-CTR" && name !== "HMAC") {
    throw new UnsupportedCryptoCall("importKey", `does not support algorithm "${name}"`);
  }
  if (name === "HMAC" && hashName(algorithm as object) !== "SHA-256") {
    throw new UnsupportedCryptoCall("importKey", `does not support HMAC with hash "${hashName(algorithm as object)}" (only SHA-256)`);
  }
  const bytes = Buffer.from(viewOf(keyData, "importKey")); // a copy: the key outlives the call, as WebCrypto's do
  if ((name === "AES-CBC" || name === "AES-CTR") && !AES_KEY_BYTES.has(bytes.length)) {
    throw new UnsupportedCryptoCall("importKey", `was given a ${bytes.length}-byte AES key (AES keys are 16, 24 or 32 bytes)`);
  }
  const description = name === "HMAC" ? ({ name, hash: { name: "SHA-256" }, length: bytes.length * 8 } as KeyAlgorithm) : { name };
  return new NodeCryptoKey(name, bytes, description, extractable, [...usages] as KeyUsage[]);
}

function deriveBits(algorithm: unknown, baseKey: CryptoKey, lengthBits: number): ArrayBuffer {
  const name = algorithmName(algorithm);
  if (name !== "PBKDF2") throw new UnsupportedCryptoCall("deriveBits", `does not support algorithm "${name}" (only PBKDF2)`);
  const params = algorithm as { hash?: unknown; salt?: unknown; iterations?: unknown };
  if (hashName(params) !== "SHA-1") throw new UnsupportedCryptoCall("deriveBits", `does not support PBKDF2 with hash "${hashName(params)}" (only SHA-1)`);
  if (typeof params.iterations !== "number" || !Number.isInteger(params.iterations) || params.iterations < 1) {
    throw new UnsupportedCryptoCall("deriveBits", `was given ${String(params.iterations)} PBKDF2 iterations (a positive whole number is needed)`);
  }
  if (!Number.isInteger(lengthBits) || lengthBits <= 0 || lengthBits % 8 !== 0) {
    throw new UnsupportedCryptoCall("deriveBits", `was asked for ${lengthBits} bits (a positive multiple of 8 is needed)`);
  }
  const { bytes } = materialFor(baseKey, "deriveBits");
  return arrayBufferOf(pbkdf2Sync(bytes, viewOf(params.salt, "deriveBits"), params.iterations, lengthBits / 8, "sha1"));
}

/** The node:crypto cipher name and IV for an AES-CBC or AES-CTR parameter object, checked against the key. */
function aesCipher(operation: "encrypt" | "decrypt", algorithm: unknown, key: CryptoKey): { cipher: string; key: Buffer; iv: Uint8Array } {
  const name = algorithmName(algorithm);
  const material = materialFor(key, operation);
  if (material.algorithm !== name) throw new UnsupportedCryptoCall(operation, `was given a ${material.algorithm} key for ${name}`);
  const bits = material.bytes.length * 8;
  const params = algorithm as { iv?: unknown; counter?: unknown; length?: unknown };
  if (name === "AES-CBC") return { cipher: `aes-${bits}-cbc`, key: material.bytes, iv: viewOf(params.iv, operation) };
  // node:crypto's CTR mode increments the whole 16-byte block, which is WebCrypto's `length: 128`, the only width iron uses.
  if (params.length !== 128) throw new UnsupportedCryptoCall(operation, `does not support AES-CTR with a ${String(params.length)}-bit counter (only 128)`);
  return { cipher: `aes-${bits}-ctr`, key: material.bytes, iv: viewOf(params.counter, operation) };
}

function encrypt(algorithm: unknown, key: CryptoKey, data: unknown): ArrayBuffer {
  const aes = aesCipher("encrypt", algorithm, key);
  const cipher = createCipheriv(aes.cipher, aes.key, aes.iv); // PKCS#7 padding for CBC by default, as WebCrypto's AES-CBC
  return arrayBufferOf(cipher.update(viewOf(data, "encrypt")), cipher.final());
}

function decrypt(algorithm: unknown, key: CryptoKey, data: unknown): ArrayBuffer {
  const aes = aesCipher("decrypt", algorithm, key);
  const decipher = createDecipheriv(aes.cipher, aes.key, aes.iv);
  return arrayBufferOf(decipher.update(viewOf(data, "decrypt")), decipher.final());
}

function sign(algorithm: unknown, key: CryptoKey, data: unknown): ArrayBuffer {
  const name = algorithmName(algorithm);
  if (name !== "HMAC") throw new UnsupportedCryptoCall("sign", `does not support algorithm "${name}" (only HMAC)`);
  const { bytes } = materialFor(key, "sign");
  return arrayBufferOf(createHmac("sha256", bytes).update(viewOf(data, "sign")).digest());
}

/** node:crypto's CSPRNG through a pool: each byte is handed out once, in order, and the pool refilled when spent. */
function pooledRandomFill(): (bytes: Uint8Array) => void {
  const pool = Buffer.alloc(RANDOM_POOL_BYTES);
  let next = RANDOM_POOL_BYTES;
  return (bytes) => {
    if (bytes.byteLength > RANDOM_POOL_BYTES) return void randomFillSync(bytes);
    if (next + bytes.byteLength > RANDOM_POOL_BYTES) {
      randomFillSync(pool);
      next = 0;
    }
    bytes.set(pool.subarray(next, next + bytes.byteLength));
    next += bytes.byteLength;
  };
}

/** A provider for iron-webcrypto's seal/unseal whose every call is computed synchronously by node:crypto. */
export function createNodeCryptoProvider(options: NodeCryptoProviderOptions = {}): IronCrypto {
  const fillRandom = options.fillRandom ?? pooledRandomFill();
  return {
    getRandomValues(array: Uint8Array): Uint8Array {
      if (array.byteLength > WEBCRYPTO_RANDOM_LIMIT_BYTES) {
        throw new UnsupportedCryptoCall("getRandomValues", `was asked for ${array.byteLength} bytes (WebCrypto's limit is ${WEBCRYPTO_RANDOM_LIMIT_BYTES})`);
      }
      fillRandom(array);
      return array;
    },
    subtle: {
      importKey: (format, keyData, algorithm, extractable, usages) => settled(() => importKey(format, keyData, algorithm, extractable, usages)),
      deriveBits: (algorithm, baseKey, length) => settled(() => deriveBits(algorithm, baseKey, length)),
      encrypt: (algorithm, key, data) => settled(() => encrypt(algorithm, key, data)),
      decrypt: (algorithm, key, data) => settled(() => decrypt(algorithm, key, data)),
      sign: (algorithm, key, data) => settled(() => sign(algorithm, key, data)),
    },
  };
}

/** The process-wide provider, on node:crypto's CSPRNG. */
export const nodeCryptoProvider: IronCrypto = createNodeCryptoProvider();
