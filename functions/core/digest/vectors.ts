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
 * A running sum of unit vectors. Similarity to it is average-link: the mean cosine with every vector
 * added, which, unlike the cosine with the centroid, does not grow as a group gets large and bland.
 */
export class Centroid {
  private readonly sum = new Map<string, number>();
  private count = 0;
  private squaredNorm: number | null = 0;

  public add(vector: SparseVector): void {
    for (const [feature, w] of vector) this.sum.set(feature, (this.sum.get(feature) ?? 0) + w);
    this.count++;
    this.squaredNorm = null;
  }

  /** Mean cosine between a unit vector and the vectors added. */
  public similarity(vector: SparseVector): number {
    return this.count === 0 ? 0 : dot(this.sum, vector) / this.count;
  }

  /** Mean cosine between the vectors of two groups. */
  public similarityWith(other: Centroid): number {
    return this.count === 0 || other.count === 0 ? 0 : dot(this.sum, other.sum) / (this.count * other.count);
  }

  /** Cosine between a vector and the direction of the group: how central the vector is to it. */
  public cosine(vector: SparseVector): number {
    if (this.squaredNorm === null) {
      this.squaredNorm = 0;
      for (const w of this.sum.values()) this.squaredNorm += w * w;
    }
    const norm = this.squaredNorm;
    let own = 0;
    for (const w of vector.values()) own += w * w;
    return norm === 0 || own === 0 ? 0 : dot(this.sum, vector) / Math.sqrt(norm * own);
  }

  public get features(): SparseVector {
    return this.sum;
  }
}
