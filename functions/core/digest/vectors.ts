import { insertAt } from './order.ts';

/** Sparse vectors keyed by feature (stem or event key), for cosine similarity. */
export type SparseVector = ReadonlyMap<string, number>;

/** Scales the weights to unit length, in place, dropping zero weights. */
export function unitVector(weights: Map<string, number>): Map<string, number> {
  let norm = 0;
  for (const w of weights.values()) norm += w * w;
  norm = Math.sqrt(norm);
  for (const [feature, w] of weights) {
    if (w === 0 || norm === 0) weights.delete(feature);
    else weights.set(feature, w / norm);
  }
  return weights;
}

export function dot(a: SparseVector, b: SparseVector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let sum = 0;
  for (const [feature, w] of small) {
    const other = large.get(feature);
    if (other !== undefined) sum += w * other;
  }
  return sum;
}

/**
 * Features (stems and event keys) numbered in the order first seen, so the vectors compared by the
 * thousand during clustering are arrays of numbers rather than maps of strings. It also holds a scratch
 * array, one slot per feature, for looking weights up by feature number.
 */
export class FeatureTable {
  private readonly numbers = new Map<string, number>();
  private readonly featureNames: string[] = [];
  private scratchWeights = new Float64Array(0);
  private scratchStamps = new Int32Array(0);
  private stamp = 0;

  /** The feature's number, given one if it has none yet. */
  public intern(name: string): number {
    let id = this.numbers.get(name);
    if (id === undefined) {
      id = this.featureNames.length;
      this.numbers.set(name, id);
      this.featureNames.push(name);
    }
    return id;
  }

  public find(name: string): number | undefined {
    return this.numbers.get(name);
  }

  public name(id: number): string {
    return this.featureNames[id] ?? '';
  }

  public get size(): number {
    return this.featureNames.length;
  }

  /** Writes a vector into the scratch array; `scattered` then reads it until the next call. */
  public scatter(ids: ArrayLike<number>, weights: ArrayLike<number>, size: number): void {
    if (this.scratchStamps.length < this.featureNames.length) {
      const length = Math.max(this.featureNames.length, this.scratchStamps.length * 2, 64);
      this.scratchWeights = new Float64Array(length);
      this.scratchStamps = new Int32Array(length);
      this.stamp = 0;
    }
    this.stamp++;
    for (let i = 0; i < size; i++) {
      const id = ids[i] ?? 0;
      this.scratchStamps[id] = this.stamp;
      this.scratchWeights[id] = weights[i] ?? 0;
    }
  }

  /** The weight of a feature in the vector last scattered, or undefined when it has none. */
  public scattered(id: number): number | undefined {
    return this.scratchStamps[id] === this.stamp ? this.scratchWeights[id] : undefined;
  }

  private poolIds = new Int32Array(0);
  private poolWeights = new Float64Array(0);
  private poolUsed = 0;

  /**
   * Storage for a vector of `size` features: views into large shared arrays. A build makes a vector for
   * every passage, and a typed array of its own each would cost an allocation outside the heap that the
   * garbage collector must track and free; thousands of them cost more than the arithmetic on them.
   */
  public vectorStorage(size: number): FeatureVector {
    if (this.poolUsed + size > this.poolIds.length) {
      const capacity = Math.max(VECTOR_POOL_CHUNK, size);
      this.poolIds = new Int32Array(capacity);
      this.poolWeights = new Float64Array(capacity);
      this.poolUsed = 0;
    }
    const from = this.poolUsed;
    this.poolUsed += size;
    return {
      ids: this.poolIds.subarray(from, from + size),
      weights: this.poolWeights.subarray(from, from + size),
    };
  }
}

/** Features per shared storage array (`FeatureTable.vectorStorage`): 1.5 MB of ids and weights. */
const VECTOR_POOL_CHUNK = 1 << 17;

/**
 * A sparse vector of numbered features, in the order its features were added (sums over its weights
 * run in that order, as they did over the map it replaces), with no zero weights.
 */
export interface FeatureVector {
  readonly ids: Int32Array;
  readonly weights: Float64Array;
}

export const EMPTY_VECTOR: FeatureVector = { ids: new Int32Array(0), weights: new Float64Array(0) };

/**
 * A unit-length `FeatureVector` from the first `count` weights by feature name, in their order, dropping
 * zero weights: the same weights, in the same order, as `unitVector` on a map.
 */
export function unitFeatureVector(
  table: FeatureTable,
  names: readonly string[],
  weights: readonly number[],
  count = weights.length,
): FeatureVector {
  let norm = 0;
  for (let i = 0; i < count; i++) norm += (weights[i] ?? 0) * (weights[i] ?? 0);
  norm = Math.sqrt(norm);
  let size = 0;
  for (let i = 0; i < count; i++) if (weights[i] !== 0 && norm !== 0) size++;
  const vector = table.vectorStorage(size);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const w = weights[i] ?? 0;
    if (w === 0 || norm === 0) continue;
    vector.ids[at] = table.intern(names[i] ?? '');
    vector.weights[at] = w / norm;
    at++;
  }
  return vector;
}

/**
 * A running sum of unit vectors. Similarity to it is average-link: the mean cosine with every vector
 * added, which, unlike the cosine with the centroid, does not grow as a group gets large and bland.
 *
 * The sum is kept as arrays in the order features were first added, with an open-addressing hash from
 * feature number to slot. Every dot product iterates the smaller operand in that order and looks the
 * other up, exactly as the map-based version did, so results agree to the last bit.
 */
export class Centroid {
  private ids = new Int32Array(8);
  private weights = new Float64Array(8);
  private size = 0;
  /** Slot + 1 of each feature, by hash of its number; 0 is empty. */
  private slots = new Int32Array(16);
  private count = 0;
  private squaredNorm: number | null = 0;
  private named: Map<string, number> | null = null;

  public constructor(private readonly table: FeatureTable) {}

  private slotOf(id: number): number {
    const mask = this.slots.length - 1;
    let h = Math.imul(id, 0x9e3779b1) >>> 0;
    for (;;) {
      h &= mask;
      const slot = this.slots[h] ?? 0;
      if (slot === 0) return -1;
      if (this.ids[slot - 1] === id) return slot - 1;
      h++;
    }
  }

  private weightOf(id: number): number | undefined {
    const slot = this.slotOf(id);
    return slot < 0 ? undefined : this.weights[slot];
  }

  private rehash(capacity: number): void {
    this.slots = new Int32Array(capacity);
    const mask = capacity - 1;
    for (let slot = 0; slot < this.size; slot++) {
      let h = Math.imul(this.ids[slot] ?? 0, 0x9e3779b1) >>> 0;
      for (;;) {
        h &= mask;
        if (this.slots[h] === 0) break;
        h++;
      }
      this.slots[h] = slot + 1;
    }
  }

  private append(id: number, weight: number): void {
    if (this.size === this.ids.length) {
      const ids = new Int32Array(this.ids.length * 2);
      ids.set(this.ids);
      this.ids = ids;
      const weights = new Float64Array(this.weights.length * 2);
      weights.set(this.weights);
      this.weights = weights;
    }
    this.ids[this.size] = id;
    this.weights[this.size] = weight;
    this.size++;
    if (this.size * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    else {
      const mask = this.slots.length - 1;
      let h = Math.imul(id, 0x9e3779b1) >>> 0;
      for (;;) {
        h &= mask;
        if (this.slots[h] === 0) break;
        h++;
      }
      this.slots[h] = this.size;
    }
  }

  /** Room for `size` features, made at once rather than by doubling feature by feature. */
  private reserve(size: number): void {
    if (size > this.ids.length) {
      let capacity = this.ids.length;
      while (capacity < size) capacity *= 2;
      const ids = new Int32Array(capacity);
      ids.set(this.ids.subarray(0, this.size));
      this.ids = ids;
      const weights = new Float64Array(capacity);
      weights.set(this.weights.subarray(0, this.size));
      this.weights = weights;
    }
    if (size * 2 > this.slots.length) {
      let capacity = this.slots.length;
      while (size * 2 > capacity) capacity *= 2;
      this.rehash(capacity);
    }
  }

  public add(vector: FeatureVector): void {
    const { ids, weights } = vector;
    this.reserve(this.size + ids.length);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] ?? 0;
      const w = weights[i] ?? 0;
      const slot = this.slotOf(id);
      if (slot < 0) this.append(id, 0 + w);
      else this.weights[slot] = (this.weights[slot] ?? 0) + w;
    }
    this.count++;
    this.squaredNorm = null;
    this.named = null;
  }

  /** The dot product of the sum with a vector. */
  private dotVector(vector: FeatureVector): number {
    const { ids, weights } = vector;
    let sum = 0;
    if (this.size <= ids.length) {
      this.table.scatter(ids, weights, ids.length);
      for (let i = 0; i < this.size; i++) {
        const other = this.table.scattered(this.ids[i] ?? 0);
        if (other !== undefined) sum += (this.weights[i] ?? 0) * other;
      }
    } else {
      for (let i = 0; i < ids.length; i++) {
        const other = this.weightOf(ids[i] ?? 0);
        if (other !== undefined) sum += (weights[i] ?? 0) * other;
      }
    }
    return sum;
  }

  /** Mean cosine between a unit vector and the vectors added. */
  public similarity(vector: FeatureVector): number {
    return this.count === 0 ? 0 : this.dotVector(vector) / this.count;
  }

  /** Mean cosine between the vectors of two groups. */
  public similarityWith(other: Centroid): number {
    if (this.count === 0 || other.count === 0) return 0;
    const [small, large] = this.size <= other.size ? [this, other] : [other, this];
    let sum = 0;
    for (let i = 0; i < small.size; i++) {
      const w = large.weightOf(small.ids[i] ?? 0);
      if (w !== undefined) sum += (small.weights[i] ?? 0) * w;
    }
    return sum / (this.count * other.count);
  }

  private norm(): number {
    if (this.squaredNorm === null) {
      this.squaredNorm = 0;
      for (let i = 0; i < this.size; i++) this.squaredNorm += (this.weights[i] ?? 0) * (this.weights[i] ?? 0);
    }
    return this.squaredNorm;
  }

  /** Cosine between a vector and the direction of the group: how central the vector is to it. */
  public cosine(vector: FeatureVector): number {
    const norm = this.norm();
    let own = 0;
    for (const w of vector.weights) own += w * w;
    return norm === 0 || own === 0 ? 0 : this.dotVector(vector) / Math.sqrt(norm * own);
  }

  /** `cosine` for weights by feature name. */
  public cosineOfNamed(vector: SparseVector): number {
    const norm = this.norm();
    let own = 0;
    for (const w of vector.values()) own += w * w;
    if (norm === 0 || own === 0) return 0;
    let sum = 0;
    if (this.size <= vector.size) {
      for (let i = 0; i < this.size; i++) {
        const other = vector.get(this.table.name(this.ids[i] ?? 0));
        if (other !== undefined) sum += (this.weights[i] ?? 0) * other;
      }
    } else {
      for (const [feature, w] of vector) {
        const id = this.table.find(feature);
        const other = id === undefined ? undefined : this.weightOf(id);
        if (other !== undefined) sum += w * other;
      }
    }
    return sum / Math.sqrt(norm * own);
  }

  /** The `count` heaviest features, heaviest first (ties by name), in one pass over the sum. */
  public top(count: number): number[] {
    return topOf(this.table, this.ids, this.weights, this.size, count);
  }

  /** The sum by feature name, in the order features were first added. */
  public get features(): SparseVector {
    if (!this.named) {
      this.named = new Map();
      for (let i = 0; i < this.size; i++)
        this.named.set(this.table.name(this.ids[i] ?? 0), this.weights[i] ?? 0);
    }
    return this.named;
  }
}

/** The `count` heaviest features of a vector, heaviest first (ties by name), in one pass. */
export function topFeatures(table: FeatureTable, vector: FeatureVector, count: number): number[] {
  return topOf(table, vector.ids, vector.weights, vector.ids.length, count);
}

function topOf(
  table: FeatureTable,
  ids: Int32Array,
  weights: Float64Array,
  size: number,
  count: number,
): number[] {
  const topIds: number[] = [];
  const topWeights: number[] = [];
  // "Before" in the ranking: heavier, or as heavy and first by name.
  const before = (aId: number, aWeight: number, bId: number, bWeight: number) =>
    aWeight > bWeight || (aWeight === bWeight && table.name(aId) < table.name(bId));
  for (let i = 0; i < size; i++) {
    const id = ids[i] ?? 0;
    const weight = weights[i] ?? 0;
    if (topIds.length === count) {
      const lastId = topIds[count - 1] ?? 0;
      const lastWeight = topWeights[count - 1] ?? 0;
      if (weight < lastWeight || (weight === lastWeight && table.name(id) > table.name(lastId))) continue;
      topIds.pop();
      topWeights.pop();
    }
    let at = topIds.length;
    while (at > 0 && !before(topIds[at - 1] ?? 0, topWeights[at - 1] ?? 0, id, weight)) at--;
    insertAt(topIds, at, id);
    insertAt(topWeights, at, weight);
  }
  return topIds;
}
